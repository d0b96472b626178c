// The activity check-in page: scan members' QR codes with the phone camera where the browser can
// (BarcodeDetector), or type the code / search by name. The scan is posted with fetch and answered in
// JSON, so the camera keeps running between members; without script the form posts and the page answers.
(function () {
  "use strict";
  function tokenFrom(text) {
    var match = /[?&]token=([^&#]+)/.exec(text || "");
    return decodeURIComponent(match ? match[1] : text || "").trim();
  }
  function show(data) {
    var box = document.getElementById("scan-result");
    var person = document.getElementById("scan-person");
    var children = document.getElementById("scan-children");
    box.hidden = false;
    box.className = "scan-result " + (!data.ok ? "scan-error" : data.already ? "scan-again" : "scan-ok");
    document.getElementById("scan-message").textContent = data.message || "";
    var card = data.registration;
    person.hidden = !card;
    if (card) {
      document.getElementById("scan-name").textContent = card.name;
      document.getElementById("scan-meta").textContent = card.unit + " · " + card.staff_no;
      children.hidden = !card.children.length;
      document.getElementById("scan-children-names").textContent = card.children.join("、");
    }
    if (data.counts) {
      document.getElementById("count-checked-in").textContent = data.counts.checked_in;
      document.getElementById("count-confirmed").textContent = data.counts.confirmed;
    }
    if (navigator.vibrate) navigator.vibrate(data.ok && !data.already ? 80 : [60, 60, 60]);
  }
  function post(form, onDone) {
    var body = new FormData(form);
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Requested-With": "fetch" },
    }).then(function (response) {
      return response.json();
    }).then(function (data) {
      show(data);
      if (onDone) onDone(data);
    }).catch(function () {
      form.submit();  // the page answers without script
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-scan-form]");
    if (!form || !window.fetch) return;
    var input = form.querySelector("input[name=token]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      input.value = tokenFrom(input.value);
      if (!input.value) { input.focus(); return; }
      post(form, function () { input.value = ""; input.focus(); });
    });
    document.querySelectorAll("[data-scan-row]").forEach(function (row) {
      row.addEventListener("submit", function (event) {
        event.preventDefault();
        var mode = form.querySelector("input[name=action]:checked");
        row.querySelector("input[name=action]").value = mode ? mode.value : "in";
        post(row, function (data) {
          if (data.ok) { window.scrollTo({ top: 0, behavior: "smooth" }); }
        });
      });
    });

    var button = document.querySelector("[data-scan]");
    var stopButton = document.querySelector("[data-scan-stop]");
    var video = document.querySelector("[data-scan-video]");
    var canScan = "BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
    if (!canScan) {
      var note = document.querySelector("[data-scan-unavailable]");
      if (note) note.hidden = false;
      return;
    }
    button.hidden = false;
    var stream = null;
    var last = { code: "", at: 0 };
    var busy = false;
    function stop() {
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
      video.hidden = true;
      stopButton.hidden = true;
      button.hidden = false;
    }
    stopButton.addEventListener("click", stop);
    button.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (media) {
        stream = media;
        video.hidden = false;
        video.srcObject = media;
        video.play();
        button.hidden = true;
        stopButton.hidden = false;
        var look = function () {
          if (!stream) return;
          if (busy) { window.setTimeout(look, 200); return; }
          detector.detect(video).then(function (found) {
            var code = found.length ? tokenFrom(found[0].rawValue) : "";
            var now = Date.now();
            // The same code held in front of the camera is posted once every few seconds at most.
            if (code && (code !== last.code || now - last.at > 4000)) {
              last = { code: code, at: now };
              busy = true;
              input.value = code;
              post(form, function () { input.value = ""; window.setTimeout(function () { busy = false; }, 800); });
            }
            window.setTimeout(look, 150);
          }).catch(function () { window.setTimeout(look, 300); });
        };
        look();
      }).catch(function () {
        var note = document.querySelector("[data-scan-unavailable]");
        if (note) note.hidden = false;
      });
    });
    window.addEventListener("pagehide", stop);
  });
})();
