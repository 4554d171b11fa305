/**
 * The optional `extras` object of Push User Data: the documented `location` (address, latitude,
 * longitude) as an option, and the user's own key/value pairs, named as in Send Link so that
 * values survive switching operations.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { DkycProblems } from '../../shared/dkycRules';
import { customExtras, extrasProperty, throughputOptions } from '../common';

export const extrasParameter = extrasProperty('Your own fields stored with the session, e.g. applicant_name or loan_amt');

export const optionsParameter: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Location',
			name: 'location',
			type: 'fixedCollection',
			default: {},
			placeholder: 'Add Location',
			description: 'Where the customer was when the data was collected (sent as extras.location)',
			options: [
				{
					displayName: 'Location',
					name: 'value',
					values: [
						{
							displayName: 'Address',
							name: 'address',
							type: 'string',
							default: '',
							placeholder: 'e.g. 12 MG Road, Mumbai 400001',
							description: 'Full address as one line',
						},
						{
							displayName: 'Latitude',
							name: 'latitude',
							type: 'number',
							typeOptions: { minValue: -90, maxValue: 90, numberPrecision: 6 },
							default: 0,
							description: 'Latitude in decimal degrees, e.g. 19.10817. Leave Latitude and Longitude at 0 to send the address alone.',
						},
						{
							displayName: 'Longitude',
							name: 'longitude',
							type: 'number',
							typeOptions: { minValue: -180, maxValue: 180, numberPrecision: 6 },
							default: 0,
							description: 'Longitude in decimal degrees, e.g. 72.903107. Leave Latitude and Longitude at 0 to send the address alone.',
						},
					],
				},
			],
		},
		...throughputOptions,
	],
};

interface LocationValues {
	address?: unknown;
	latitude?: unknown;
	longitude?: unknown;
}

/** A coordinate within ±limit; expressions may give text, which is accepted when numeric. */
function coordinate(value: unknown, limit: number): number | undefined {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	return typeof number === 'number' && Number.isFinite(number) && Math.abs(number) <= limit ? number : undefined;
}

/** Not filled in: the editor's default 0, or nothing from an expression. */
function unset(value: unknown): boolean {
	return value === undefined || value === null || value === 0 || (typeof value === 'string' && value.trim() === '');
}

/**
 * The location as sent. The editor fills both coordinates with 0 when only an address is
 * entered: 0,0 (a point in the Atlantic) is never sent as a real place, so when both are left
 * unset only the address goes.
 */
function buildLocation(location: LocationValues, problems: DkycProblems): IDataObject {
	const out: IDataObject = {};
	const address = typeof location.address === 'string' ? location.address.trim() : '';
	if (address) out.address = address;
	if (unset(location.latitude) && unset(location.longitude)) return out;
	const latitude = coordinate(unset(location.latitude) ? 0 : location.latitude, 90);
	const longitude = coordinate(unset(location.longitude) ? 0 : location.longitude, 180);
	if (latitude === undefined) problems.incorrect.set('extras.location.latitude', 'expected a number from -90 to 90');
	else out.latitude = latitude;
	if (longitude === undefined) problems.incorrect.set('extras.location.longitude', 'expected a number from -180 to 180');
	else out.longitude = longitude;
	return out;
}

/** The extras of one item; an empty object means none. Coordinate problems join the report. */
export function buildExtras(context: IExecuteFunctions, itemIndex: number, problems: DkycProblems): IDataObject {
	const extras = customExtras(context, itemIndex, { location: 'Location' });
	const location = context.getNodeParameter('options.location.value', itemIndex, null) as LocationValues | null;
	if (location) extras.location = buildLocation(location, problems);
	return extras;
}
