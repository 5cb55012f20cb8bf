// Anneal's few lines of page behaviour on top of htmx: say so when a request fails.
(function () {
  "use strict";
  function flash(text) {
    var box = document.getElementById("messages");
    if (!box) return;
    box.innerHTML = "";
    var list = document.createElement("ul");
    list.className = "messages";
    var item = document.createElement("li");
    item.className = "error";
    item.setAttribute("role", "alert");
    item.textContent = text;
    list.appendChild(item);
    box.appendChild(list);
  }
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status === 403) return; // the server sent the reason as a message
    flash("The server could not complete this action (HTTP " + status + "). Reload the page and try again.");
  });
  // <form data-confirm="Question?">: ask before a plain (non-htmx) form does something drastic.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
  document.addEventListener("htmx:sendError", function () {
    flash("Anneal cannot be reached. Check your connection, then reload the page.");
  });
})();
