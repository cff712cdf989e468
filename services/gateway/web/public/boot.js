// Runs before the first paint: the remembered (or system) theme and the interface language.
(function () {
  try {
    var theme = localStorage.getItem("masteria.theme");
    var dark = theme === "dark" || (theme !== "light" && window.matchMedia("(prefers-color-scheme: dark)").matches);
    document.documentElement.classList.toggle("dark", dark);
    document.documentElement.style.colorScheme = dark ? "dark" : "light";
    var lang = localStorage.getItem("masteria.lang");
    if (lang !== "en" && lang !== "pt-BR") {
      var langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ""];
      lang = "pt-BR";
      for (var i = 0; i < langs.length; i++) {
        var l = String(langs[i]).toLowerCase();
        if (l.indexOf("en") === 0) { lang = "en"; break; }
        if (l.indexOf("pt") === 0) { break; }
      }
    }
    document.documentElement.lang = lang;
  } catch (e) {
    /* storage blocked: defaults apply */
  }
})();
