// n8n loads this package through the "n8n" field of package.json (dist/...), not through this
// file. It exists so that `require('n8n-nodes-kwikid')` does not fail.
module.exports = {};
