// Times on Anneal's pages are rendered in UTC by the `when` template filter; this shows them in
// the viewer's own time zone. The exact UTC instant stays in the element's title and datetime.
(function () {
  "use strict";
  var format = new Intl.DateTimeFormat(undefined, {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
  });
  function localize(root) {
    var times = (root || document).querySelectorAll('time[data-local="datetime"]');
    for (var i = 0; i < times.length; i++) {
      var moment = new Date(times[i].getAttribute("datetime"));
      if (!isNaN(moment.getTime())) {
        times[i].textContent = format.format(moment);
        times[i].setAttribute("data-local", "shown");
      }
    }
  }
  document.addEventListener("DOMContentLoaded", function () { localize(document); });
  document.addEventListener("htmx:load", function (event) { localize(event.target); });
})();
