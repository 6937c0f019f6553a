// Condition suggestions while typing, from GET /v1/reference/conditions, into the input's <datalist>.
// Without JavaScript the search still works: the server reads the words as they are.
(function () {
  const input = document.getElementById("condition");
  if (!input) return;
  const list = document.getElementById(input.getAttribute("list"));
  let timer = null;
  let last = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(async function () {
      const q = input.value.trim();
      if (q.length < 3 || q === last || /\((ICD-10-CM|ORPHA):[^)]+\)$/.test(q)) return;
      last = q;
      const url = input.dataset.suggest + "?limit=10&q=" + encodeURIComponent(q);
      const response = await fetch(url, {headers: {Accept: "application/json"}});
      if (!response.ok) return;
      const found = await response.json();
      list.replaceChildren(...found.map(function (c) {
        const option = document.createElement("option");
        option.value = c.name + " (" + c.key + ")";
        return option;
      }));
    }, 200);
  });
})();
