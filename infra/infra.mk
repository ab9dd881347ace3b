# AWS CDK app of infra/: `make synth`, `make deploy STAGE=dev`.
# Included by the main Makefile, which defines PY, VENV and BIN. Wire-up there:
#   include infra/infra.mk
#   test: setup $(INFRA_SETUP)
INFRA_DIR     := infra
STAGE         ?= dev
SYNTH_STAGES  ?= dev,prod
AWS_REGION    ?= eu-west-3
# Python CDK libraries, in the project's venv (cached by this stamp; a fresh clone installs them).
INFRA_SETUP   := $(VENV)/.infra-installed
# The CDK CLI, from npm, local to infra/ (never global).
INFRA_CLI     := $(INFRA_DIR)/node_modules/.installed
INFRA_CDK     := ./node_modules/.bin/cdk --app "$(abspath $(PY)) main.py" --no-notices --no-version-reporting
# Region for the template; account from CDK_DEFAULT_ACCOUNT (the CLI sets it from your
# credentials on deploy; unset on synth gives an account-agnostic template).
INFRA_ENV     := CDK_DEFAULT_REGION=$(AWS_REGION) AWS_DEFAULT_REGION=$(AWS_REGION) CDK_DISABLE_CLI_TELEMETRY=true

.PHONY: synth deploy infra-bootstrap infra-clean

$(INFRA_SETUP): $(INFRA_DIR)/requirements.txt | $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(INFRA_DIR)/requirements.txt
	touch $@

$(INFRA_CLI): $(INFRA_DIR)/package.json $(INFRA_DIR)/package-lock.json
	cd $(INFRA_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Offline, no AWS credentials: CloudFormation for SYNTH_STAGES into infra/cdk.out.
synth: $(INFRA_SETUP) $(INFRA_CLI)
	cd $(INFRA_DIR) && $(INFRA_ENV) AWS_EC2_METADATA_DISABLED=true $(INFRA_CDK) synth --quiet -c stages=$(SYNTH_STAGES)
	@ls $(INFRA_DIR)/cdk.out/*.template.json

# Needs AWS credentials and a bootstrapped account/region (make infra-bootstrap, once).
deploy: $(INFRA_SETUP) $(INFRA_CLI)
	cd $(INFRA_DIR) && $(INFRA_ENV) $(INFRA_CDK) deploy coprod-$(STAGE) -c stages=$(STAGE) $(CDK_ARGS)

infra-bootstrap: $(INFRA_SETUP) $(INFRA_CLI)
	cd $(INFRA_DIR) && $(INFRA_ENV) $(INFRA_CDK) bootstrap -c stages=$(STAGE)

infra-clean:
	rm -rf $(INFRA_DIR)/cdk.out $(INFRA_DIR)/node_modules $(INFRA_SETUP)
