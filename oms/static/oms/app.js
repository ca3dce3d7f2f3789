// Okno: the little behaviour the server-rendered pages need on top of htmx.
(function () {
  "use strict";

  // Filter forms send every field; keep the URL readable by dropping the empty ones from GET requests.
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.verb !== "get") return;
    var params = event.detail.parameters;
    Object.keys(params).forEach(function (key) {
      if (params[key] === "") delete params[key];
    });
  });

  // Drop-downs marked data-autosubmit submit their form at once (organization switcher, language).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-autosubmit]") && target.form) target.form.requestSubmit();
  });
})();
