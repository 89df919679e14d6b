// Batch front end to @cloud-copilot/iam-simulate for tests/semantic (test-time only, AGPL-3.0:
// nothing under generator/ runs or imports it).
//
// stdin:  a JSON array of requests
//   { principal, action, resource, resourceAccount,
//     identityPolicies: [{name, policy}], permissionBoundaries: [{name, policy}] (optional),
//     resourcePolicy (optional), serviceControlPolicies: [{orgIdentifier, policies: [{name, policy}]}] (optional),
//     resourceControlPolicies: the same shape (optional),
//     context: {key: string | string[]},
//     catalogueGaps: [key, ...] (optional: see "Context keys" below) }
// stdout: a JSON array of results, one per request, in order
//   { decision: "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied" | null,
//     error: null | string | object, ignoredContextKeys: [...], evaluation: "validated" | "unsafe",
//     reasons: [...] (decisive statements, validated evaluation only) }
//
// Context keys. runSimulation() validates the policies, the action and the resource against the
// engine's catalogue (iam-data), then DROPS every request context key that the catalogue does not
// list for the action/resource type and reports it in `ignoredContextKeys`. A dropped key reads
// as absent, so a condition on it silently fails (StringEquals) or silently holds (...IfExists,
// Null, negated operators): a test would pass or fail for the wrong reason. Two keys iamforge
// relies on are missing from this version's catalogue: `token.actions.githubusercontent.com:sub`
// and `:aud` for sts:AssumeRoleWithWebIdentity, and `kms:EncryptionContext:<key>` (the catalogue
// lists it as `kms:encryptioncontext:${encryptioncontextkey}`, which its matcher never matches).
// The choice made here:
//   * strict by default: a request whose context loses a key the caller did not declare is an
//     ERROR, never a decision;
//   * a key declared in `catalogueGaps` may be dropped by validation; the request is then
//     validated first (policies, action, resource; that result's errors still count) and decided
//     by runUnsafeSimulation() with the full context, the engine's own evaluator minus the
//     context filter (evaluation: "unsafe"). A declared gap that the catalogue does know is
//     simply evaluated validated.
// tests/semantic/test_engine.py asserts this behaviour of the pinned version, so an upgrade that
// changes it fails there first.
import { readFileSync } from 'node:fs'
import {
  getDenialReasons,
  getGrantReasons,
  isConditionKeyArray,
  runSimulation,
  runUnsafeSimulation,
  typeForContextKey
} from '@cloud-copilot/iam-simulate'
// runUnsafeSimulation loads the resource policy without a name and then reads the name (a
// TypeError in this version): a ValidatedPolicy carries the name through, so it is handed that.
import { createValidatedPolicy, validateResourcePolicy } from '@cloud-copilot/iam-policy'

const RCP_FULL_AWS_ACCESS = {
  name: 'arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess',
  policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }
}

function simulation(req) {
  const sim = {
    request: {
      principal: req.principal,
      action: req.action,
      resource: { resource: req.resource, accountId: req.resourceAccount },
      contextVariables: req.context || {}
    },
    identityPolicies: req.identityPolicies || [],
    serviceControlPolicies: req.serviceControlPolicies || [],
    resourceControlPolicies: req.resourceControlPolicies || []
  }
  if (req.permissionBoundaries && req.permissionBoundaries.length > 0) {
    sim.permissionBoundaryPolicies = req.permissionBoundaries
  }
  if (req.resourcePolicy) {
    sim.resourcePolicy = req.resourcePolicy
  }
  return sim
}

// The value shapes runSimulation gives known keys (single-valued: a string; multivalued: an array);
// a key the catalogue does not know keeps the shape the caller gave.
async function normalisedContext(context) {
  const out = {}
  for (const [key, value] of Object.entries(context || {})) {
    let type
    try {
      type = await typeForContextKey(key)
    } catch {
      out[key] = value
      continue
    }
    if (isConditionKeyArray(type)) {
      out[key] = [value].flat()
    } else {
      out[key] = Array.isArray(value) ? value[0] : value
    }
  }
  return out
}

function reasons(analysis) {
  if (!analysis) return []
  try {
    return analysis.result === 'Allowed' ? getGrantReasons(analysis) : getDenialReasons(analysis)
  } catch (e) {
    return [{ error: String(e) }]
  }
}

async function one(req) {
  const result = { decision: null, error: null, ignoredContextKeys: [], evaluation: 'validated', reasons: [] }
  const sim = simulation(req)
  const response = await runSimulation(sim, { simulationMode: 'Strict' })
  if (response.resultType === 'error') {
    result.error = response.errors
    return result
  }
  const single = response.resultType === 'single' ? response.result : undefined
  const ignored =
    response.resultType === 'single'
      ? single.ignoredContextKeys || []
      : [...new Set(response.results.flatMap((r) => r.ignoredContextKeys || []))]
  result.ignoredContextKeys = ignored
  const declared = new Set((req.catalogueGaps || []).map((k) => k.toLowerCase()))
  const undeclared = ignored.filter((k) => !declared.has(k.toLowerCase()))
  if (undeclared.length > 0) {
    result.error = `the engine would drop context keys it does not know for ${req.action}: ${undeclared.join(', ')}`
    return result
  }
  if (ignored.length === 0) {
    result.decision = response.overallResult
    result.reasons = single ? reasons(single.analysis) : []
    return result
  }
  sim.request.contextVariables = await normalisedContext(req.context)
  if (sim.resourcePolicy) {
    sim.resourcePolicy = createValidatedPolicy(sim.resourcePolicy, validateResourcePolicy, { name: 'ResourcePolicy' })
  }
  result.evaluation = 'unsafe'
  // runSimulation puts AWS's RCPFullAWSAccess at every RCP level (and refuses it given);
  // runUnsafeSimulation does not, so every level would deny implicitly: it is added here.
  sim.resourceControlPolicies = sim.resourceControlPolicies.map((level) => ({
    orgIdentifier: level.orgIdentifier,
    policies: [RCP_FULL_AWS_ACCESS, ...level.policies]
  }))
  result.decision = runUnsafeSimulation(sim, { simulationMode: 'Strict' })
  return result
}

const requests = JSON.parse(readFileSync(0, 'utf8'))
if (!Array.isArray(requests)) {
  process.stderr.write('simulate.mjs: stdin must be a JSON array of requests\n')
  process.exit(2)
}
const results = []
for (const req of requests) {
  try {
    results.push(await one(req))
  } catch (e) {
    results.push({ decision: null, error: `exception: ${e && e.stack ? e.stack : e}`, ignoredContextKeys: [], evaluation: 'validated', reasons: [] })
  }
}
process.stdout.write(JSON.stringify(results))
