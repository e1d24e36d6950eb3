// Validates an element template against Camunda's published JSON Schema.
// Usage: node validate.cjs NODE_MODULES TEMPLATE.json; exit 0 when valid, 1 with the errors.
const path = require("path");
const fs = require("fs");
const modules = process.argv[2];
const Ajv = require(path.join(modules, "ajv"));
const schema = require(path.join(modules, "@camunda/zeebe-element-templates-json-schema/resources/schema.json"));
const template = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
// The schema names its draft without the trailing `#` Ajv registers it under.
delete schema.$schema;
// `$data`: the schema refers to a property's own id (a condition may not name its own field).
const ajv = new Ajv({ allErrors: true, strict: false, $data: true });
const validate = ajv.compile(schema);
if (validate(template)) {
  console.log("valid");
} else {
  console.log(JSON.stringify(validate.errors, null, 2));
  process.exit(1);
}
