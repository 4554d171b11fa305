/**
 * The one place that speaks HTTP to KwikID. Operations and the trigger `connect` once per run or
 * poll and describe requests; see client.ts for what happens to each.
 */
export type { ClientOptions, KwikIdClient } from './client';
export { connect } from './client';
export { describeFieldErrors } from './errors';
export type { DownloadedFile } from './media';
export { DEFAULT_RETRY } from './retry';
export type { RetryPolicy } from './retry';
export { fetchSessionData } from './sessionDetails';
export { Cancelled, runPool } from './throttle';
export type { ApiRequest, KwikIdErrorContext, KwikIdFunctions } from './types';
export { CREDENTIAL_TYPE } from './types';
