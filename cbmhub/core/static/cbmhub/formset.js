// "Add a row" for a Django formset: copies the <template data-formset-template> (the formset's
// empty form, its names holding __prefix__) with the next index and counts it in TOTAL_FORMS.
(function () {
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.getAttribute("data-formset-add");
    var scope = button.closest("fieldset") || document;
    var total = document.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    var template = scope.querySelector("template[data-formset-template]");
    var rows = scope.querySelector("[data-formset-rows]");
    if (!total || !template || !rows) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var first = rows.lastElementChild && rows.lastElementChild.querySelector("select, input");
      if (first) { first.focus(); }
    });
  });
})();
