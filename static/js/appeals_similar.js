/* Similar cases (appeals/console/_similar.html): "Use this answer" copies a past reply into the page's
   reply textarea — the one marked data-reply-target, else the first textarea named "text". An empty
   textarea gets the answer; one already written keeps its text and gets the answer below it. */
(function () {
  "use strict";
  if (window.smartunionSimilarBound) return; // the partial may be included more than once
  window.smartunionSimilarBound = true;
  function target() {
    return document.querySelector("textarea[data-reply-target]") || document.querySelector("textarea[name='text']");
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-use-answer]") : null;
    if (!button) return;
    event.preventDefault();
    var textarea = target();
    if (!textarea) return;
    var answer = button.getAttribute("data-answer") || "";
    var current = textarea.value.replace(/\s+$/, "");
    textarea.value = current ? current + "\n\n" + answer : answer;
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    textarea.focus();
    textarea.scrollIntoView({ block: "center", behavior: "smooth" });
    var section = button.closest(".ap-similar");
    var done = section && section.querySelector("[data-use-answer-done]");
    if (done) done.hidden = false;
  });
})();
