/**
 * Setup file of the `nodejs24.x` Jest project (jest.config.js): the local Lambda of this test file runs the zip on
 * nodejs24.x and its runtime client 4.x (harness/lambdaRuntime reads LAMBDA_NODE_MAJOR when a function starts).
 */
process.env.LAMBDA_NODE_MAJOR = '24';
