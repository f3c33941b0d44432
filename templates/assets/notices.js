/* A wide table scrolls sideways inside its wrapper: make the wrapper reachable by keyboard and named,
   so that it can be scrolled without a mouse (WCAG 2.1.1). Material builds the wrappers on each page
   load, hence document$ (Material's page-load stream) when it exists. */
(function () {
  function label() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      var caption = wrap.querySelector("th");
      wrap.setAttribute("aria-label", caption ? "Table: " + caption.textContent : "Table");
    });
  }
  if (typeof document$ !== "undefined") { document$.subscribe(label); } else { document.addEventListener("DOMContentLoaded", label); }
})();

/* "Which version was in force on a date": the in-force page's form looks the date up in the site's own
   versions.json (same origin; no request leaves the site). Words come from the page, in its language. */
(function () {
  function setup() {
    var form = document.querySelector("form.in-force-lookup");
    if (!form || form.dataset.ready) { return; }
    form.dataset.ready = "1";
    var out = document.getElementById("in-force-result");
    var titles = JSON.parse(form.dataset.titles || "{}");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var day = form.querySelector("input[type=date]").value;
      if (!day) { return; }
      fetch(form.dataset.versions).then(function (r) { return r.json(); }).then(function (data) {
        out.textContent = "";
        var list = document.createElement("ul");
        data.notices.forEach(function (notice) {
          var found = null;
          notice.versions.forEach(function (v) { if (v.effective <= day) { found = v; } });
          var item = document.createElement("li");
          // Named in the page's language, linking to this language's pages (versions.json is the archive's).
          var title = titles[notice.notice] || notice.notice;
          if (found) {
            var link = document.createElement("a");
            link.href = form.dataset.root + found.url;
            link.textContent = title + " — " + form.dataset.version + " " + found.number;
            item.appendChild(link);
          } else {
            item.textContent = title + ": " + form.dataset.none;
          }
          list.appendChild(item);
        });
        out.appendChild(list);
      });
    });
  }
  if (typeof document$ !== "undefined") { document$.subscribe(setup); } else { document.addEventListener("DOMContentLoaded", setup); }
})();
