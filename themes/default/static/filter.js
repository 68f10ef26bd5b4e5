// Filters the stories page by team, in place. Without this script the team
// badges above the list are links to each team's stories; with it they
// become toggle buttons (aria-pressed) that show only the stories crediting
// any of the pressed teams. No inline handlers, no dependencies.
(function () {
  "use strict";
  var bar = document.querySelector("[data-story-filter]");
  var list = document.querySelector("[data-story-list]");
  if (!bar || !list) return;
  var cards = Array.prototype.slice.call(list.querySelectorAll("[data-teams]"));
  var status = bar.querySelector("[data-filter-status]");
  var buttons = [];

  Array.prototype.forEach.call(bar.querySelectorAll("a[data-team]"), function (link) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = link.className;
    button.setAttribute("style", link.getAttribute("style") || "");
    button.setAttribute("data-team", link.getAttribute("data-team"));
    button.setAttribute("aria-pressed", "false");
    button.title = link.title;
    while (link.firstChild) button.appendChild(link.firstChild);
    link.parentNode.replaceChild(button, link);
    button.addEventListener("click", function () {
      button.setAttribute("aria-pressed", button.getAttribute("aria-pressed") === "true" ? "false" : "true");
      apply();
    });
    buttons.push(button);
  });

  var reset = document.createElement("button");
  reset.type = "button";
  reset.className = "filter-reset";
  reset.textContent = "Show all";
  reset.hidden = true;
  reset.addEventListener("click", function () {
    buttons.forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
    apply();
    if (buttons[0]) buttons[0].focus();
  });
  bar.querySelector(".filter-teams").insertAdjacentElement("afterend", reset);
  bar.classList.add("is-interactive");

  function apply() {
    var pressed = buttons.filter(function (b) { return b.getAttribute("aria-pressed") === "true"; });
    var teams = pressed.map(function (b) { return b.getAttribute("data-team"); });
    var shown = 0;
    cards.forEach(function (card) {
      var credited = (card.getAttribute("data-teams") || "").split(" ");
      var show = teams.length === 0 || teams.some(function (t) { return credited.indexOf(t) !== -1; });
      card.hidden = !show;
      if (show) shown += 1;
    });
    // A year with no story left is hidden with its heading.
    Array.prototype.forEach.call(list.querySelectorAll(".story-year"), function (year) {
      year.hidden = !year.querySelector("[data-teams]:not([hidden])");
    });
    reset.hidden = teams.length === 0;
    if (status) {
      var names = pressed.map(function (b) { return b.title.replace(/^Stories that credit /, ""); });
      status.textContent = teams.length === 0 ? "" :
        "Showing " + shown + " of " + cards.length + " stories, crediting " + names.join(" or ") + ".";
    }
  }
})();
