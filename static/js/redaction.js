// Redaction workbench: drag on a page image to fill the "add a box" form of that page with
// the rectangle in PDF points (top-left origin). Without this script the form works by hand.
(function () {
  "use strict";
  document.querySelectorAll(".rx-page").forEach(function (page) {
    var form = document.querySelector('form.rx-draw[data-page="' + page.dataset.page + '"]');
    if (!form) { return; }
    var widthPt = parseFloat(page.dataset.width), heightPt = parseFloat(page.dataset.height);
    var start = null, band = null;
    function point(event) {
      var rect = page.getBoundingClientRect();
      var x = Math.min(Math.max(event.clientX - rect.left, 0), rect.width);
      var y = Math.min(Math.max(event.clientY - rect.top, 0), rect.height);
      return { x: x, y: y, w: rect.width, h: rect.height };
    }
    page.addEventListener("mousedown", function (event) {
      event.preventDefault();
      start = point(event);
      band = document.createElement("div");
      band.className = "rx-band";
      page.appendChild(band);
    });
    page.addEventListener("mousemove", function (event) {
      if (!start) { return; }
      var p = point(event);
      band.style.left = Math.min(start.x, p.x) + "px";
      band.style.top = Math.min(start.y, p.y) + "px";
      band.style.width = Math.abs(p.x - start.x) + "px";
      band.style.height = Math.abs(p.y - start.y) + "px";
    });
    window.addEventListener("mouseup", function (event) {
      if (!start) { return; }
      var p = point(event);
      var sx = widthPt / p.w, sy = heightPt / p.h;
      form.elements.x0.value = (Math.min(start.x, p.x) * sx).toFixed(1);
      form.elements.y0.value = (Math.min(start.y, p.y) * sy).toFixed(1);
      form.elements.x1.value = (Math.max(start.x, p.x) * sx).toFixed(1);
      form.elements.y1.value = (Math.max(start.y, p.y) * sy).toFixed(1);
      start = null;
      form.querySelector("select[name=ground]").focus();
    });
  });
})();
