// Small behaviours shared by every page. No inline scripts anywhere (CSP-ready).
document.addEventListener("DOMContentLoaded", () => {
  // A list's filters fold on a phone only: at a desk they are open (banli.css shows them where
  // it can; this marks them open for every browser and for screen readers).
  if (window.matchMedia("(min-width: 641px)").matches) {
    document.querySelectorAll("details.filter-box").forEach((box) => {
      box.open = true;
    });
  }
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
    if (message && !window.confirm(message)) {
      event.preventDefault();
      return;
    }
    const token = currentCsrfToken();
    if (token) {
      event.target.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach((input) => {
        input.value = token;
      });
    }
  });
  // After an idle session ended and the clerk signed in again in another window, the token
  // printed in this page is stale: send the one the new sign-in set, so the text still open
  // here can be saved.
  document.body.addEventListener("htmx:configRequest", (event) => {
    const token = currentCsrfToken();
    if (!token) return;
    event.detail.headers["X-CSRFToken"] = token;
    if (event.detail.parameters.has && event.detail.parameters.has("csrfmiddlewaretoken")) {
      event.detail.parameters.set("csrfmiddlewaretoken", token);
    }
  });
});

function currentCsrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}
