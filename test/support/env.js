// n8n-core reads these when its services are first built; set them before any test imports it.
// Tests assert on outputs and errors, not on n8n's log lines, which would only bury failures.
process.env.N8N_LOG_LEVEL = process.env.N8N_LOG_LEVEL || 'silent';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
