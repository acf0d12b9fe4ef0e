// The sidebar toggles. sphinx-book-theme 1.4 and pydata-sphinx-theme 0.20 attach their
// click handlers to the page's *first* .primary-toggle / .secondary-toggle, which is the
// one in the site header that the book theme hides; the toggles readers see (in the
// article header) then do nothing. Each other toggle passes its click to the one the
// themes listen to, so the sidebar opens (a dialog on phones) at every width.
// tests/test_site.py clicks them; drop this file when the themes bind every toggle.
document.addEventListener("DOMContentLoaded", () => {
  for (const kind of [".primary-toggle", ".secondary-toggle"]) {
    const [bound, ...others] = document.querySelectorAll(kind);
    for (const toggle of others) {
      toggle.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        bound.click();
      });
    }
  }
});
