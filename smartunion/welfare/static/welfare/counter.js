// The merchants' counter: scan a voucher's QR with the camera where the browser can (BarcodeDetector),
// and fill the code field. Typing the code always works; nothing here is needed for it.
(function () {
  "use strict";
  function codeFrom(text) {
    var match = /[?&]code=([^&#]+)/.exec(text || "");
    return decodeURIComponent(match ? match[1] : text || "").trim();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-scan]");
    var form = document.querySelector("[data-counter-form]");
    if (!button || !form) return;
    var canScan = "BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
    if (!canScan) {
      var note = document.querySelector("[data-scan-unavailable]");
      if (note) note.hidden = false;
      button.hidden = true;
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var video = document.querySelector("[data-scan-video]");
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.hidden = false;
        video.srcObject = stream;
        video.play();
        var stop = function () { stream.getTracks().forEach(function (track) { track.stop(); }); video.hidden = true; };
        var look = function () {
          detector.detect(video).then(function (found) {
            if (found.length) {
              stop();
              form.querySelector("input[name=code]").value = codeFrom(found[0].rawValue);
              form.submit();
            } else {
              window.requestAnimationFrame(look);
            }
          }).catch(function () { window.requestAnimationFrame(look); });
        };
        look();
      }).catch(function () {
        var note = document.querySelector("[data-scan-unavailable]");
        if (note) note.hidden = false;
      });
    });
  });
})();
