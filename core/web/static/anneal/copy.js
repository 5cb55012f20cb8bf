// "Copy link" buttons: <button data-copy="ID"> copies the value of the field with that id and
// says so in the element marked data-copied-for="ID" (an aria-live region). Without the clipboard API
// (plain http on another host) the field's text is selected so Ctrl+C copies it.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) { return; }
    var id = button.getAttribute("data-copy");
    var field = document.getElementById(id);
    var status = document.querySelector('[data-copied-for="' + id + '"]');
    if (!field) { return; }
    function said(text) { if (status) { status.textContent = text; } }
    field.focus();
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () { said("Copied."); },
        function () { said("Selected: press Ctrl+C (or Cmd+C) to copy."); });
    } else {
      said("Selected: press Ctrl+C (or Cmd+C) to copy.");
    }
  });
})();
