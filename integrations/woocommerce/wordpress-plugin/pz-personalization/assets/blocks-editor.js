/* The four slot blocks in the editor: settings in the sidebar, a server-side preview in the
   canvas (the storefront personalizes them; the editor shows the fallback). No build step. */
(function (wp) {
  "use strict";
  if (!wp || !wp.blocks || !wp.element) return;
  var el = wp.element.createElement;
  var editor = wp.blockEditor || wp.editor;
  var c = wp.components;
  var __ = (wp.i18n && wp.i18n.__) || function (text) { return text; };
  var kinds = [
    { value: "related", label: __("Related products", "pz-personalization") },
    { value: "bought_together", label: __("Frequently bought together", "pz-personalization") },
    { value: "cross_sell", label: __("Cart suggestions", "pz-personalization") },
    { value: "recommended", label: __("Recommended for you", "pz-personalization") }
  ];
  ["pz/personalized-home", "pz/recommendations", "pz/recently-viewed", "pz/ugc-gallery", "pz/customer-photos", "pz/review-highlights", "pz/photo-upload"].forEach(function (name) {
    wp.blocks.registerBlockType(name, {
      edit: function (props) {
        var a = props.attributes;
        var set = props.setAttributes;
        var controls = [
          el(c.TextControl, { key: "heading", label: __("Heading", "pz-personalization"), value: a.heading, onChange: function (v) { set({ heading: v }); } }),
          el(c.RangeControl, { key: "count", label: __("Items", "pz-personalization"), min: 1, max: 12, value: a.count, onChange: function (v) { set({ count: v }); } })
        ];
        if (name === "pz/recommendations") {
          controls.push(el(c.SelectControl, { key: "kind", label: __("Kind", "pz-personalization"), value: a.kind, options: kinds, onChange: function (v) { set({ kind: v }); } }));
        }
        var blockProps = editor.useBlockProps ? editor.useBlockProps() : {};
        return el("div", blockProps,
          el(editor.InspectorControls, {}, el(c.PanelBody, { title: __("Settings", "pz-personalization") }, controls)),
          el(wp.serverSideRender, { block: name, attributes: a })
        );
      },
      save: function () { return null; }
    });
  });
})(window.wp);
