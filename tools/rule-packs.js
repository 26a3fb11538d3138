// Runs two rule packs that AWS publishes over CloudFormation templates and prints every finding
// as JSON on stdout, unfiltered:
// - AWS CloudFormation Guard with the AWS Control Tower proactive-control rules, as shipped by
//   @cdklabs/cdk-validator-cfnguard (its cfn-guard binary and rule files, driven through its own
//   result parser, which turns Guard's nested output into one violation per rule and resource);
// - cdk-nag's AwsSolutions pack, applied to each plain template through aws-cdk-lib's CfnInclude,
//   which keeps the logical ids, so each finding names the template's resource.
//
// Suppressions are not applied here: the caller reads them from each resource's Metadata
// (`guard.SuppressedRules`, `cdk_nag.rules_to_suppress`), so that it can also report a
// suppression that matches nothing.
//
// Usage: node rule-packs.js TEMPLATE.json...
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const templates = process.argv.slice(2).map((t) => path.resolve(t));
if (templates.length === 0) {
  console.error('usage: node rule-packs.js TEMPLATE.json...');
  process.exit(2);
}

function guardFindings() {
  const { CfnGuardValidator } = require('@cdklabs/cdk-validator-cfnguard');
  const findings = [];
  // One template at a time: the validator's result does not say which template a violation
  // came from when given several.
  for (const template of templates) {
    const report = new CfnGuardValidator({}).validate({ templatePaths: [template] });
    for (const v of report.violations) {
      for (const r of v.violatingResources) {
        findings.push({
          pack: 'cfn-guard',
          rule: v.ruleName,
          level: 'error',
          template,
          logicalId: r.resourceLogicalId,
          message: (v.description || '').trim(),
          fix: (v.fix || '').trim(),
        });
      }
    }
  }
  return findings;
}

function nagFindings() {
  const { App, Stack, Validations } = require('aws-cdk-lib');
  const { CfnInclude } = require('aws-cdk-lib/cloudformation-include');
  const { AwsSolutionsChecks } = require('cdk-nag');
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rule-packs-'));
  try {
    const app = new App({ outdir });
    // Stack names are the templates' positions: construct paths map back to templates by them.
    templates.forEach((template, i) => {
      const stack = new Stack(app, `T${i}`);
      new CfnInclude(stack, 'Template', { templateFile: template });
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: false }));
    const log = console.error;
    // The validation prints its own report on stderr; ours is the JSON below.
    console.error = () => {};
    try {
      app.synth();
    } catch (e) {
      if (!/Validation failed/.test(String(e && e.message))) throw e;
    } finally {
      console.error = log;
    }
    const reportPath = path.join(outdir, 'validation-report.json');
    if (!fs.existsSync(reportPath)) return [];
    const report = JSON.parse(fs.readFileSync(reportPath, 'utf8'));
    const findings = [];
    for (const plugin of report.pluginReports || []) {
      for (const v of plugin.violations || []) {
        for (const c of v.violatingConstructs || []) {
          const [stack, include, logicalId] = c.constructPath.split('/');
          if (include !== 'Template' || !logicalId) {
            throw new Error(`cdk-nag finding outside an included template: ${c.constructPath}`);
          }
          findings.push({
            pack: 'cdk-nag',
            rule: v.ruleName,
            level: v.severity === 'error' ? 'error' : 'warning',
            template: templates[Number(stack.slice(1))],
            logicalId,
            message: (v.description || '').trim(),
            fix: '',
          });
        }
      }
    }
    return findings;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

const findings = [...guardFindings(), ...nagFindings()];
process.stdout.write(JSON.stringify({ findings }, null, 1) + '\n');
