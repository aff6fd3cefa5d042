// leakguard console: the only script. No inline code anywhere (the CSP forbids it).
// Asks before a form marked data-confirm is sent (ban, delete).
"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
// Filter selects on the alerts page apply at once.
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.tagName === "SELECT" && field.form && field.form.id === "alert-filters") {
    field.form.submit();
  }
});
