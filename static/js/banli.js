// Small behaviours shared by every page. No inline scripts anywhere (CSP-ready).
document.addEventListener("DOMContentLoaded", () => {
  // A filter list that narrows a long <select> as you type (unit pickers).
  document.querySelectorAll("[data-filter-for]").forEach((input) => {
    const select = document.getElementById(input.dataset.filterFor);
    if (!select) return;
    input.addEventListener("input", () => {
      const q = input.value.trim();
      for (const option of select.options) {
        option.hidden = q !== "" && !option.text.includes(q) && !option.selected;
      }
    });
  });
  // Ask before an action that cannot be undone.
  document.body.addEventListener("submit", (event) => {
    const message = event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });
});
