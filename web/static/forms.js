// Two small aids for the forms of web/templates/macros/forms.html. The server decides what is
// valid either way: without this script the page still says what is required and why.
(function () {
  "use strict";

  // After a failed submit, start at the list of what to correct (it links to each field).
  var summary = document.getElementById("form-errors");
  if (summary) { summary.focus(); }

  // "required when you choose …": once the answer is chosen, say "(required)" or "(optional)".
  document.querySelectorAll("[data-required-when]").forEach(function (marker) {
    var form = marker.closest("form");
    var field = marker.closest(".field");
    var control = field && field.querySelector("input, select, textarea");
    var name = marker.getAttribute("data-required-when");
    var values = marker.getAttribute("data-values").split(" ");
    var condition = marker.textContent;
    if (!form || !control) { return; }

    function chosen() {
      var checked = form.querySelector("[name='" + name + "']:checked");
      var select = form.querySelector("select[name='" + name + "']");
      return checked ? checked.value : (select ? select.value : "");
    }
    function update() {
      var answer = chosen();
      var required = values.indexOf(answer) >= 0;
      marker.textContent = answer ? marker.getAttribute(required ? "data-on" : "data-off") : condition;
      marker.classList.toggle("optional--required", required);
      if (required) { control.setAttribute("aria-required", "true"); }
      else { control.removeAttribute("aria-required"); }
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === name) { update(); }
    });
    update();
  });
})();
