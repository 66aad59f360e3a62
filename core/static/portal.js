// Progressive enhancement only: every form works without this file.
document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
    const button = select.form.querySelector("button[type=submit]");
    if (button) button.classList.add("visually-hidden");
  }
  // on a phone the main menu folds behind its button (the CSS hides the button on wide screens)
  const toggle = document.querySelector(".menu-toggle");
  const menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (menu) {
    toggle.hidden = false;
    menu.classList.add("folded");
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      menu.classList.toggle("folded", open);
    });
  }
  // a form sent back with mistakes: start at the first field to correct
  const invalid = document.querySelector("form [aria-invalid=true]");
  if (invalid) invalid.focus();
});
