/* kbgen: the vendored Mermaid (3.5 MB) is loaded only by pages that have a
   diagram. This runs at the end of the body, before the theme renders
   diagrams, so document.write adds Mermaid in time and the theme uses it
   instead of fetching a copy from a CDN. */
(function () {
  if (!document.querySelector(".mermaid")) return;
  var me = document.currentScript && document.currentScript.src;
  if (!me) return;
  document.write('<script src="' + me.replace(/mermaid-loader\.js(\?.*)?$/, "mermaid.min.js") + '"><\/script>');
})();
