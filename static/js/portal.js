// Progress bars take their width from data-progress: the Content-Security-Policy allows no
// style attribute in the page, while a style set from a script file is allowed.
htmx.onLoad(function (content) {
  content.querySelectorAll("[data-progress]").forEach(function (bar) {
    bar.style.width = bar.dataset.progress + "%";
  });
});

// A table wider than the screen scrolls inside a region of its own, never the page: the
// region is named after the table (its caption, or the heading above it) and takes the
// keyboard focus only while it has something to scroll, so that it can be scrolled
// without a mouse (WCAG 2.1.1, 1.4.10).
(function () {
  var regions = [];

  function nameOf(table) {
    if (table.caption && table.caption.textContent.trim()) {
      return table.caption.textContent.trim();
    }
    if (table.getAttribute("aria-label")) return table.getAttribute("aria-label");
    var node = table;
    while (node && node !== document.body) {
      var previous = node.previousElementSibling;
      while (previous) {
        if (/^H[1-6]$/.test(previous.tagName)) return previous.textContent.trim();
        var heading = previous.querySelector("h1, h2, h3, h4, h5, h6");
        if (heading) return heading.textContent.trim();
        previous = previous.previousElementSibling;
      }
      node = node.parentElement;
    }
    return document.documentElement.dataset.tableLabel || document.title;
  }

  function update(region) {
    if (region.scrollWidth > region.clientWidth + 1) {
      region.setAttribute("tabindex", "0");
    } else if (region.dataset.wrapped) {
      region.removeAttribute("tabindex");
    }
  }

  function wrap(table) {
    var parent = table.parentElement;
    var region = parent;
    if (!parent.classList.contains("table-responsive")) {
      region = document.createElement("div");
      region.className = "table-responsive";
      region.dataset.wrapped = "1";
      parent.insertBefore(region, table);
      region.appendChild(table);
    }
    if (!region.getAttribute("role")) region.setAttribute("role", "region");
    if (!region.getAttribute("aria-label") && !region.getAttribute("aria-labelledby")) {
      region.setAttribute("aria-label", nameOf(table));
    }
    regions.push(region);
    update(region);
  }

  htmx.onLoad(function (content) {
    var tables = content.tagName === "TABLE" ? [content] : content.querySelectorAll("main table");
    Array.prototype.forEach.call(tables, function (table) {
      if (table.closest("main") && !table.parentElement.closest("table")) wrap(table);
    });
  });

  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      regions.forEach(function (region) {
        if (region.isConnected) update(region);
      });
    });
  });
})();

// Dates keep together on one line ("2018-10-13", "2026-11-29 14:05"): each one written in
// the page's text is marked up as a <time>, which the stylesheet keeps from wrapping.
(function () {
  var DATE = /\b(\d{4}-\d{2}-\d{2})(?: (\d{2}:\d{2}))?\b/g;
  function isDate(text) {
    var parts = text.split("-").map(Number);
    var day = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2]));
    return day.getUTCFullYear() === parts[0] && day.getUTCMonth() === parts[1] - 1 &&
      day.getUTCDate() === parts[2];
  }
  var SKIP = { SCRIPT: 1, STYLE: 1, TEXTAREA: 1, OPTION: 1, TIME: 1, TITLE: 1, CODE: 1, PRE: 1 };

  function mark(root) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        for (var el = node.parentElement; el && el !== root.parentElement; el = el.parentElement) {
          if (SKIP[el.tagName] || el.isContentEditable || el.classList.contains("date")) {
            return NodeFilter.FILTER_REJECT;
          }
        }
        DATE.lastIndex = 0;
        return DATE.test(node.nodeValue) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP;
      },
    });
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (node) {
      var text = node.nodeValue;
      var fragment = document.createDocumentFragment();
      var last = 0;
      DATE.lastIndex = 0;
      var match;
      while ((match = DATE.exec(text))) {
        fragment.appendChild(document.createTextNode(text.slice(last, match.index)));
        // A real date becomes a <time>; what only looks like one (2024-13-01, as typed
        // in an imported file) is kept together all the same, without claiming a date.
        var time = document.createElement(isDate(match[1]) ? "time" : "span");
        if (time.tagName === "TIME") {
          time.dateTime = match[2] ? match[1] + "T" + match[2] : match[1];
        } else {
          time.className = "date";
        }
        time.textContent = match[0];
        fragment.appendChild(time);
        last = match.index + match[0].length;
      }
      fragment.appendChild(document.createTextNode(text.slice(last)));
      node.parentNode.replaceChild(fragment, node);
    });
  }

  htmx.onLoad(function (content) {
    var main = content.closest ? content.closest("main") || content.querySelector("main") : null;
    if (main) mark(content.contains(main) ? main : content);
  });
})();
