/* Small progressive enhancements; every page works without JavaScript. */
(function () {
  "use strict";

  // Intake: show the ID number for persons, the credit code for organisations.
  function toggleIdentity(root) {
    var select = (root || document).querySelector("select[name='applicant_type']");
    if (!select) return;
    function apply() {
      var value = select.value;
      var person = value === "natural_person";
      var org = value !== "" && !person;
      document.querySelectorAll(".person-only").forEach(function (el) {
        el.hidden = org;
      });
      document.querySelectorAll(".org-only").forEach(function (el) {
        el.hidden = person;
      });
    }
    select.addEventListener("change", apply);
    apply();
  }

  // Move keyboard focus to the first error so that it is announced and visible.
  function focusFirstError(root) {
    var invalid = (root || document).querySelector("[aria-invalid='true']");
    if (invalid && typeof invalid.focus === "function") invalid.focus();
  }

  // A select marked data-autosubmit submits its form when changed (no inline handlers: the
  // Content-Security-Policy allows scripts from this site's files only).
  function autosubmit(root) {
    (root || document).querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () {
        if (select.form) select.form.submit();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    toggleIdentity(document);
    focusFirstError(document);
    autosubmit(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    focusFirstError(event.target);
  });
})();
