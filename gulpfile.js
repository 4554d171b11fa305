// tsc compiles the TypeScript; n8n also needs the icons and the codex (*.node.json) files next
// to the compiled nodes and credentials in dist/. `clean` empties dist/ first, so a file that
// was removed or renamed in the source never ships from an old build.
const { rmSync } = require('node:fs');
const { src, dest } = require('gulp');

function clean(done) {
	rmSync('dist', { recursive: true, force: true });
	done();
}

function copyAssets() {
	return src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

exports.clean = clean;
exports['build:icons'] = copyAssets;
exports.default = copyAssets;
