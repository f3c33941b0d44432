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
