// Progress bars take their width from data-progress: the Content-Security-Policy allows no
// style attribute in the page, while a style set from a script file is allowed.
htmx.onLoad(function (content) {
  content.querySelectorAll("[data-progress]").forEach(function (bar) {
    bar.style.width = bar.dataset.progress + "%";
  });
});
