// Small behaviours htmx does not cover: confirmations, no double submits, the phone sidebar,
// and registering the portal's service worker. No framework, no build step.
(function () {
  "use strict";

  // <form data-confirm="…">: ask before a destructive or irreversible action.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    // ... or <button data-confirm="…"> when only one of a form's buttons is irreversible.
    var submitter = event.submitter;
    var question = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    // <form data-disable-on-submit>: one click, one submission.
    if (form.hasAttribute("data-disable-on-submit")) {
      if (form.dataset.submitting === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.submitting = "1";
      form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (button) {
        button.classList.add("is-busy");
      });
    }
  }, true);

  // htmx requests with hx-confirm-like semantics on buttons: data-confirm on the button itself.
  document.addEventListener("htmx:confirm", function (event) {
    var element = event.detail.elt;
    var question = element && element.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // A table's "select all" checkbox ticks the row checkboxes of the page; the bulk bar shows the count.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox") return;
    var table = box.closest("table");
    if (box.hasAttribute("data-select-all") && table) {
      table.querySelectorAll("input[name=ids]").forEach(function (row) { row.checked = box.checked; });
    }
    var counter = document.querySelector("[data-selected-count]");
    if (counter) counter.textContent = document.querySelectorAll("input[name=ids]:checked").length;
  });

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-toggle-sidebar]");
    if (toggle) {
      var sidebar = document.getElementById("sidebar");
      if (sidebar) sidebar.classList.toggle("open");
    }
  });

  // The member portal installs on the phone home screen (PWA).
  var shell = document.querySelector("[data-sw]");
  if (shell && "serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(shell.getAttribute("data-sw"), { scope: "/m/" }).catch(function () {});
    });
  }
})();
