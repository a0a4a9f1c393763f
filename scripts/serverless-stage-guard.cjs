// A local Serverless Framework plugin (osls and Serverless Framework v4 alike): before
// anything is packaged or uploaded, checks the stage's resolved params with the same
// validator the function runs (lib/cli/stage-check.ts), and adds `serverless validate`,
// which runs that check alone, offline.
'use strict';

const path = require('node:path');

class StageGuard {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options;
    this.commands = {
      validate: {
        usage: "Checks a stage's params offline with the function's own validator",
        lifecycleEvents: ['run'],
      },
    };
    this.hooks = {
      'validate:run': () => this.check(true),
      'before:package:initialize': () => this.check(false),
      'before:deploy:function:initialize': () => this.check(false),
    };
  }

  check(report) {
    const service = this.serverless.service;
    const fn = service.functions.sweep;
    const environment = { ...(service.provider.environment || {}), ...(fn.environment || {}) };
    const enabled = (fn.events || []).some(
      (event) => event.schedule && event.schedule.enabled !== false && event.schedule.enabled !== 'false',
    );
    // The TypeScript validator itself, loaded through tsx: one definition of "valid".
    const { require: tsRequire } = require('tsx/cjs/api');
    const { checkStage } = tsRequire(path.join(__dirname, '../lib/cli/stage-check.ts'), __filename);
    const problems = checkStage(environment, enabled);
    const stage = service.provider.stage;
    if (problems.length > 0) {
      throw new this.serverless.classes.Error(
        `stage ${stage} is not deployable (nothing was packaged or uploaded):\n  ${problems.join('\n  ')}`,
      );
    }
    if (report)
      process.stdout.write(`stage ${stage}: params valid, schedule ${enabled ? 'enabled' : 'disabled'}\n`);
  }
}

module.exports = StageGuard;
