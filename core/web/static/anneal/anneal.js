// Anneal's few lines of page behaviour on top of htmx: say so when a request fails, confirm drastic
// actions, keep keyboard focus in place when htmx replaces a table row, and make a card that scrolls
// sideways reachable by keyboard.
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
    var words = document.createElement("div");  // the role sits inside the <li>, which stays a list item
    words.setAttribute("role", "alert");
    words.textContent = text;
    item.appendChild(words);
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

  // <form data-confirm-owner="Question?" data-current-role="...">: granting the owner role asks first.
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.detail.elt;
    var question = form.getAttribute && form.getAttribute("data-confirm-owner");
    var select = question && form.querySelector("select[name=role]");
    if (!select || select.value !== "owner" || form.getAttribute("data-current-role") === "owner") return;
    event.preventDefault();
    if (window.confirm(question)) event.detail.issueRequest(true);
  });

  // Focus after htmx replaces the element that held it (a table row): the same control in the new
  // row, else the row's first control, else the row now in its place, else the table's card.
  var FOCUSABLE = "a[href], button:not([disabled]), select:not([disabled]), input:not([type=hidden]):not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";
  var lost = null;
  function describe(element) {
    return element.getAttribute("aria-label") || element.id || (element.tagName + ":" + (element.name || "") + ":" + element.textContent.trim());
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target, active = document.activeElement;
    if (!target || !active || active === document.body || !target.contains(active)) { lost = null; return; }
    var row = target.closest("tr") || target;
    var body = row.parentElement;
    lost = {
      id: row.id, key: describe(active), container: body,
      index: body ? Array.prototype.indexOf.call(body.children, row) : -1,
      card: row.closest(".card, table") || document.getElementById("content")
    };
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!lost) return;
    var was = lost; lost = null;
    if (document.activeElement && document.activeElement !== document.body && document.body.contains(document.activeElement)) return;
    var row = was.id ? document.getElementById(was.id) : null;
    var choice = null;
    if (row) {
      var controls = row.querySelectorAll(FOCUSABLE);
      for (var i = 0; i < controls.length && !choice; i++) if (describe(controls[i]) === was.key) choice = controls[i];
      choice = choice || controls[0] || null;
    }
    if (!choice && was.container && was.container.isConnected) {
      var rows = was.container.children;
      var near = rows[Math.min(was.index, rows.length - 1)];
      choice = near ? near.querySelector(FOCUSABLE) : null;
    }
    if (!choice && was.card && was.card.isConnected) {
      choice = was.card;
      if (!choice.hasAttribute("tabindex")) choice.setAttribute("tabindex", "-1");
    }
    if (choice) choice.focus();
  });

  // A card that scrolls sideways (a wide table on a narrow screen) must be reachable by keyboard.
  function markScrollable() {
    var cards = document.querySelectorAll(".card");
    for (var i = 0; i < cards.length; i++) {
      var card = cards[i], scrolls = card.scrollWidth > card.clientWidth + 1;
      if (scrolls && !card.hasAttribute("tabindex")) {
        card.setAttribute("tabindex", "0");
        card.setAttribute("data-scroll-focus", "");
        if (!card.hasAttribute("role")) {
          var heading = card.querySelector("h2, h3");
          card.setAttribute("role", "region");
          card.setAttribute("aria-label", heading ? heading.textContent.trim() + " (scrolls sideways)" : "Table (scrolls sideways)");
        }
      } else if (!scrolls && card.hasAttribute("data-scroll-focus")) {
        card.removeAttribute("tabindex"); card.removeAttribute("data-scroll-focus");
        if (card.getAttribute("role") === "region") { card.removeAttribute("role"); card.removeAttribute("aria-label"); }
      }
    }
  }
  var pendingFrame = 0;
  function schedule() { cancelAnimationFrame(pendingFrame); pendingFrame = requestAnimationFrame(markScrollable); }
  document.addEventListener("DOMContentLoaded", markScrollable);
  window.addEventListener("resize", schedule);
  document.addEventListener("htmx:afterSettle", schedule);
})();
