// Progressive enhancement only: every form works without this file.
document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
    const button = select.form.querySelector("button[type=submit]");
    if (button) button.classList.add("visually-hidden");
  }
  // a form sent back with mistakes: start at the first field to correct
  const invalid = document.querySelector("form [aria-invalid=true]");
  if (invalid) invalid.focus();
});
