// The main navigation folds behind its Menu button on a phone (the CSS decides when).
// Loaded right after the nav, so the unfolded list is never painted first.
(function () {
  var nav = document.querySelector("nav.main-nav");
  var button = nav && nav.querySelector(".nav-toggle");
  if (!button) return;
  button.hidden = false;
  nav.classList.add("foldable");
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("open", open);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && nav.classList.contains("open")) {
      button.setAttribute("aria-expanded", "false");
      nav.classList.remove("open");
      button.focus();
    }
  });
})();
