/**
 * Shrinks a Chromium screenshot for the docs: an RGB PNG becomes a 256-colour palette PNG.
 * A UI screenshot has a few flat colours plus antialiased text edges; the 256 most frequent
 * colours keep it looking the same, at about half the bytes (the repository keeps it small).
 * Node built-ins only: the one dev tool that needs it should not add a dependency.
 */
import { crc32, deflateSync, inflateSync } from 'node:zlib';

interface Chunk {
	type: string;
	data: Buffer;
}

function readChunks(png: Buffer): Chunk[] {
	const chunks: Chunk[] = [];
	for (let offset = 8; offset < png.length; ) {
		const length = png.readUInt32BE(offset);
		chunks.push({ type: png.toString('latin1', offset + 4, offset + 8), data: png.subarray(offset + 8, offset + 8 + length) });
		offset += 12 + length;
	}
	return chunks;
}

function chunk(type: string, data: Buffer): Buffer {
	const head = Buffer.alloc(8);
	head.writeUInt32BE(data.length, 0);
	head.write(type, 4, 'latin1');
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
	return Buffer.concat([head, data, crc]);
}

/** Undoes PNG's per-row filters (RGB, 8 bits): the plain pixels. */
function unfilter(raw: Buffer, width: number, height: number): Buffer {
	const bpp = 3;
	const stride = width * bpp;
	const out = Buffer.alloc(height * stride);
	for (let y = 0; y < height; y++) {
		const filter = raw[y * (stride + 1)];
		const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
		const row = y * stride;
		for (let x = 0; x < stride; x++) {
			const a = x >= bpp ? out[row + x - bpp] : 0;
			const b = y > 0 ? out[row - stride + x] : 0;
			const c = x >= bpp && y > 0 ? out[row - stride + x - bpp] : 0;
			let value = line[x];
			if (filter === 1) value += a;
			else if (filter === 2) value += b;
			else if (filter === 3) value += (a + b) >> 1;
			else if (filter === 4) {
				const p = a + b - c;
				const pa = Math.abs(p - a);
				const pb = Math.abs(p - b);
				const pc = Math.abs(p - c);
				value += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
			}
			out[row + x] = value & 255;
		}
	}
	return out;
}

export function toPalettePng(png: Buffer): Buffer {
	const chunks = readChunks(png);
	const header = chunks.find((c) => c.type === 'IHDR')?.data;
	if (!header || header[8] !== 8 || header[9] !== 2 || header[12] !== 0) return png; // only plain 8-bit RGB
	const width = header.readUInt32BE(0);
	const height = header.readUInt32BE(4);
	const pixels = unfilter(inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data))), width, height);

	const counts = new Map<number, number>();
	for (let i = 0; i < pixels.length; i += 3) {
		const rgb = (pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2];
		counts.set(rgb, (counts.get(rgb) ?? 0) + 1);
	}
	const palette = [...counts.entries()].sort((x, y) => y[1] - x[1]).slice(0, 256).map(([rgb]) => rgb);
	const nearest = new Map<number, number>();
	const indexOf = (rgb: number): number => {
		const known = nearest.get(rgb);
		if (known !== undefined) return known;
		let best = 0;
		let bestDistance = Infinity;
		palette.forEach((candidate, index) => {
			const dr = ((candidate >> 16) & 255) - ((rgb >> 16) & 255);
			const dg = ((candidate >> 8) & 255) - ((rgb >> 8) & 255);
			const db = (candidate & 255) - (rgb & 255);
			const distance = 3 * dr * dr + 4 * dg * dg + 2 * db * db;
			if (distance < bestDistance) {
				bestDistance = distance;
				best = index;
			}
		});
		nearest.set(rgb, best);
		return best;
	};

	// Filter "none" on every row: what compresses an indexed image best.
	const raw = Buffer.alloc(height * (width + 1));
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const i = (y * width + x) * 3;
			raw[y * (width + 1) + 1 + x] = indexOf((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
		}
	}
	const ihdr = Buffer.from(header);
	ihdr[9] = 3; // indexed colour
	const plte = Buffer.alloc(palette.length * 3);
	palette.forEach((rgb, index) => {
		plte[index * 3] = (rgb >> 16) & 255;
		plte[index * 3 + 1] = (rgb >> 8) & 255;
		plte[index * 3 + 2] = rgb & 255;
	});
	return Buffer.concat([
		png.subarray(0, 8),
		chunk('IHDR', ihdr),
		chunk('PLTE', plte),
		chunk('IDAT', deflateSync(raw, { level: 9 })),
		chunk('IEND', Buffer.alloc(0)),
	]);
}
