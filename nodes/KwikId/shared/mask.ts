/**
 * Masking of personal data and secrets before anything reaches an error message or log.
 *
 * KYC payloads carry Aadhaar numbers, PAN, phone numbers and tokens. Error texts often echo what
 * was sent, so every message built from user input or an API body goes through `redact`.
 */

/** `9876543210` -> `XXXXXX3210`. */
export function maskPhone(value: string): string {
	const digits = value.replace(/\D/g, '');
	return digits.length <= 4 ? 'XXXX' : `${'X'.repeat(digits.length - 4)}${digits.slice(-4)}`;
}

/** `234567890124` -> `XXXXXXXX0124`. */
export function maskAadhaar(value: string): string {
	const digits = value.replace(/\D/g, '');
	return `XXXXXXXX${digits.slice(-4)}`;
}

/** `ABCDE1234F` -> `XXXXX1234X`. */
export function maskPan(value: string): string {
	return value.length === 10 ? `XXXXX${value.slice(5, 9)}X` : 'XXXXXXXXXX';
}

const JWT = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
const AADHAAR = /(?<!\d)\d{4}[ -]?\d{4}[ -]?\d{4}(?!\d)/g;
const PAN = /\b[A-Z]{5}[0-9]{4}[A-Z]\b/gi;
// Indian mobile numbers, with or without +91 / 0 prefix, also written as "98765 43210".
const PHONE = /(?<![\dA-Za-z])(?:\+?91[ -]?|0)?[6-9]\d{4}[ -]?\d{5}(?!\d)/g;
const LONG_DIGITS = /(?<!\d)\d{10,}(?!\d)/g;

// Session ids are UUIDs whose digit groups can look like an Aadhaar number; they are no
// personal data and must stay readable in messages.
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/** Masks tokens, Aadhaar numbers, PANs and phone numbers found anywhere in a text. */
export function redact(text: string): string {
	// UUIDs are set aside behind a placeholder no masking pattern matches, then put back.
	const uuids: string[] = [];
	const masked = text
		.replace(UUID, (m) => `{uuid#${uuids.push(m) - 1}}`)
		.replace(JWT, '[token]')
		.replace(AADHAAR, (m) => maskAadhaar(m))
		.replace(PAN, (m) => maskPan(m.toUpperCase()))
		.replace(PHONE, (m) => maskPhone(m))
		.replace(LONG_DIGITS, (m) => maskPhone(m));
	return masked.replace(/\{uuid#(\d+)\}/g, (placeholder: string, index: string) => uuids[Number(index)] ?? placeholder);
}

/** Removes given secret values (password, token) wherever they appear, then redacts the rest. */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
	let out = text;
	for (const secret of secrets) {
		if (secret && secret.length >= 4) out = out.split(secret).join('[secret]');
	}
	return redact(out);
}

/**
 * A value as an error message may show it: masked, control characters made visible, and cut
 * short (a megabyte from an expression must not become a megabyte message).
 */
export function shown(value: unknown, max = 40): string {
	const text =
		typeof value === 'string'
			? value
			: typeof value === 'number' || typeof value === 'boolean'
				? String(value)
				: value === null
					? 'null'
					: Array.isArray(value)
						? 'a list'
						: typeof value === 'object'
							? 'an object'
							: String(value);
	// eslint-disable-next-line no-control-regex -- finding control characters is the point
	const visible = text.replace(/[\u0000-\u001f\u007f]/g, '?');
	const cut = visible.length > max ? `${visible.slice(0, max)}…` : visible;
	return redact(cut);
}
