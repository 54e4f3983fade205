// Progressive enhancement only: every page works without this script.
// 1. Follow running tasks: fetch the server-rendered fragment of each live element until it
//    settles (the fragment stops carrying data-live), and swap it in.
// 2. The copy button of the reproducing command.
(function () {
  "use strict";
  var pollMs = parseInt(document.body.getAttribute("data-poll-ms"), 10) || 2000;

  function refresh(element) {
    var url = element.getAttribute("data-live");
    fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var holder = document.createElement("div");
        holder.innerHTML = html.trim();
        var fresh = holder.firstElementChild;
        if (fresh && fresh.outerHTML !== element.outerHTML) { element.replaceWith(fresh); }
      })
      .catch(function () { /* the next round tries again */ });
  }

  function poll() {
    var live = document.querySelectorAll("[data-live]");
    live.forEach(refresh);
    window.setTimeout(poll, pollMs);
  }
  window.setTimeout(poll, pollMs);

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = document.getElementById(button.getAttribute("data-copy")).textContent;
      var done = function () { button.textContent = "Copied"; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { select(text); });
      } else { select(text); done(); }
    });
  });

  function select(text) {
    var area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } finally { area.remove(); }
  }
})();
