/* The quiz and preference center blocks in the editor: the reserved height in the sidebar, the
   server-side element in the canvas (the storefront script fills it). No build step. */
(function (wp) {
  "use strict";
  if (!wp || !wp.blocks || !wp.element) return;
  var el = wp.element.createElement;
  var editor = wp.blockEditor || wp.editor;
  var c = wp.components;
  var __ = (wp.i18n && wp.i18n.__) || function (text) { return text; };
  ["pz/quiz", "pz/preference-center"].forEach(function (name) {
    wp.blocks.registerBlockType(name, {
      edit: function (props) {
        var a = props.attributes;
        var blockProps = editor.useBlockProps ? editor.useBlockProps() : {};
        return el("div", blockProps,
          el(editor.InspectorControls, {}, el(c.PanelBody, { title: __("Settings", "pz-personalization") },
            el(c.RangeControl, {
              label: __("Space reserved while it loads (px)", "pz-personalization"),
              min: 200, max: 1200, step: 20, value: a.minHeight,
              onChange: function (v) { props.setAttributes({ minHeight: v }); }
            }))),
          el(wp.serverSideRender, { block: name, attributes: a })
        );
      },
      save: function () { return null; }
    });
  });
})(window.wp);
