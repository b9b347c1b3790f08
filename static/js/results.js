// The results grid: select rows and set grade, hp and date on all of them at once, and
// paste a column of grades copied from Excel. Only the fields change here; the server
// checks every row again when the grid is saved, and saves all rows or none.

const PASS_GRADES = new Set(["G", "VG"]);
const GRADES = new Set(["U", "G", "VG"]);

function cellsOf(row) {
  return {
    select: row.querySelector("[data-select-row]"),
    grade: row.querySelector("select[name$='-grade']"),
    credits: row.querySelector("input[name$='-credits']"),
    date: row.querySelector("input[name$='-result_date']"),
  };
}

function setUp(form) {
  const tools = form.querySelector("[data-results-tools]");
  const status = form.querySelector("[data-results-status]");
  const selectAll = form.querySelector("[data-select-all]");
  const rows = Array.from(form.querySelectorAll("[data-result-row]"));
  const courseCredits = form.dataset.courseCredits;
  const bulkGrade = form.querySelector("#bulk-grade");
  const bulkCredits = form.querySelector("#bulk-credits");
  const bulkDate = form.querySelector("#bulk-date");
  const pasteArea = form.querySelector("#paste-grades");

  function say(message) {
    status.textContent = message;
  }

  function message(name, values) {
    let text = status.dataset[name] || "";
    Object.entries(values || {}).forEach(([key, value]) => {
      text = text.replace("{" + key + "}", value);
    });
    return text;
  }

  // A pass without hp gets the course's hp; a fail without hp gets none. What the
  // administrator typed is kept.
  function fitCredits(cells, grade) {
    const credits = cells.credits.value.trim();
    if (PASS_GRADES.has(grade) && (credits === "" || credits === "0")) {
      cells.credits.value = courseCredits;
    } else if (grade === "U" && (credits === "" || credits === courseCredits)) {
      cells.credits.value = "0";
    }
  }

  function selectedRows() {
    return rows.filter((row) => cellsOf(row).select.checked);
  }

  function syncSelectAll() {
    const selected = selectedRows().length;
    selectAll.checked = selected === rows.length;
    selectAll.indeterminate = selected > 0 && selected < rows.length;
  }

  function applyToSelected() {
    const chosen = selectedRows();
    if (chosen.length === 0) {
      say(message("msgNone"));
      return;
    }
    const grade = bulkGrade.value;
    const credits = bulkCredits.value.trim();
    const day = bulkDate.value;
    chosen.forEach((row) => {
      const cells = cellsOf(row);
      if (grade) {
        cells.grade.value = grade;
      }
      if (credits) {
        cells.credits.value = credits;
      } else {
        fitCredits(cells, cells.grade.value);
      }
      if (day) {
        cells.date.value = day;
      }
    });
    say(message("msgApplied", { count: chosen.length }));
  }

  // Excel copies a column as one value a line (a row as values apart by tabs); an empty
  // cell leaves its row as it is.
  function pasteGrades(text, fromIndex) {
    const values = text.replace(/\r/g, "").replace(/\n$/, "").split(/[\t\n]/);
    const rejected = [];
    let filled = 0;
    values.forEach((raw, offset) => {
      const row = rows[fromIndex + offset];
      const value = raw.trim().toUpperCase();
      if (!row || value === "") {
        return;
      }
      if (!GRADES.has(value)) {
        rejected.push(raw.trim());
        return;
      }
      const cells = cellsOf(row);
      cells.grade.value = value;
      fitCredits(cells, value);
      filled += 1;
    });
    let words = message("msgPasted", { count: filled });
    if (rejected.length) {
      words += " " + message("msgRejected", { values: rejected.join(", ") });
    }
    say(words);
  }

  form.addEventListener("change", (event) => {
    const target = event.target;
    if (target === selectAll) {
      rows.forEach((row) => {
        cellsOf(row).select.checked = selectAll.checked;
      });
    } else if (target.matches("[data-select-row]")) {
      syncSelectAll();
    } else if (target.matches("select[name$='-grade']")) {
      fitCredits(cellsOf(target.closest("[data-result-row]")), target.value);
    }
  });

  form.querySelector("[data-bulk-apply]").addEventListener("click", applyToSelected);

  form.querySelector("[data-paste-apply]").addEventListener("click", () => {
    const first = rows.findIndex((row) => cellsOf(row).select.checked);
    pasteGrades(pasteArea.value, first === -1 ? 0 : first);
  });

  // Pasting straight into a grade field fills the column downwards from that row.
  form.addEventListener("paste", (event) => {
    const target = event.target;
    if (!(target instanceof Element) || !target.matches("select[name$='-grade']")) {
      return;
    }
    const text = (event.clipboardData || window.clipboardData).getData("text");
    if (!text) {
      return;
    }
    event.preventDefault();
    pasteGrades(text, rows.indexOf(target.closest("[data-result-row]")));
  });

  tools.hidden = false;
}

const form = document.querySelector("[data-results-form]");
if (form) {
  setUp(form);
}
