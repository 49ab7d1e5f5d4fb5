/**
 * deploy/template.json against the official CloudFormation resource specification (npm `@aws-cdk/aws-service-spec`,
 * read offline by templateSpec.ts): every resource type, property name and kind, required property, allowed value
 * (the Lambda runtime and the alarms' statistic among them, from the services' API models) and every Ref,
 * Fn::GetAtt, Fn::Sub name and condition.
 *
 * The second half feeds the same checker small templates broken in one way each and expects exactly that finding,
 * so the first half cannot pass because the checker looks at nothing.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './templateEvaluation';
import type { JsonObject } from './templateReferences';
import { SpecCheck, specVersion } from './templateSpec';

const check = new SpecCheck();

function deployedTemplate(): JsonObject {
  return JSON.parse(readFileSync(join(ROOT, 'deploy', 'template.json'), 'utf8')) as JsonObject;
}

describe(`deploy/template.json against the CloudFormation spec (@aws-cdk/aws-service-spec ${specVersion()})`, () => {
  test('has no findings: resource types, properties, kinds, required and allowed values, references', () => {
    // Prepare
    const template = deployedTemplate();

    // Act
    const findings = check.check(template);

    // Assess
    expect(findings).toEqual([]);
  });

  test('uses only resource types the spec knows (so each was checked property by property)', () => {
    // Prepare
    const resources = deployedTemplate().Resources as Record<string, { Type: string }>;

    // Act
    const unknown = Object.values(resources).filter((resource) => check.resourceType(resource.Type) === undefined);

    // Assess
    expect(Object.keys(resources).length).toBeGreaterThan(0);
    expect(unknown).toEqual([]);
  });
});

/** `${name}` as Fn::Sub writes it (a template literal, so the placeholder is not mistaken for JavaScript's). */
function sub(name: string): string {
  return `\${${name}}`;
}

/** A small valid template in the deployed one's shapes, with the Dashboard (DashboardBody via Fn::Sub) added. */
function smallTemplate(): JsonObject {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: {
      Code: { Type: 'String', Default: 'code.zip', AllowedPattern: '^[a-z.]+$' },
      Start: { Type: 'String', AllowedValues: ['TRIM_HORIZON', 'LATEST'], Default: 'LATEST' },
      Topic: { Type: 'String', Default: '' },
      Names: { Type: 'CommaDelimitedList', Default: 'a,b' },
      Namespace: { Type: 'String', Default: 'DynamoReplicator' },
    },
    Conditions: { HasTopic: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Topic' }, ''] }] } },
    Resources: {
      Queue: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true } },
      Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } },
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] },
          Tags: [{ Key: 'app', Value: 'replicator' }],
        },
      },
      Function: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Architectures: ['arm64'],
          Code: { S3Bucket: 'bucket', S3Key: { Ref: 'Code' } },
          Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
          MemorySize: { 'Fn::If': ['HasTopic', 512, 256] },
          LoggingConfig: { LogGroup: { Ref: 'Logs' } },
          Environment: { Variables: { TOPIC: { 'Fn::If': ['HasTopic', { Ref: 'Topic' }, { Ref: 'AWS::NoValue' }] } } },
        },
      },
      Trigger: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          FunctionName: { Ref: 'Function' },
          StartingPosition: { Ref: 'Start' },
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': 'Queue.Arn' } } },
        },
      },
      Alarm: {
        Type: 'AWS::CloudWatch::Alarm',
        Condition: 'HasTopic',
        Properties: {
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['Queue', 'QueueName'] } }],
          Statistic: 'Maximum',
          Period: 300,
          EvaluationPeriods: 1,
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          AlarmActions: { 'Fn::If': ['HasTopic', [{ Ref: 'Topic' }], { Ref: 'AWS::NoValue' }] },
        },
      },
      Dashboard: {
        Type: 'AWS::CloudWatch::Dashboard',
        Properties: {
          DashboardName: { 'Fn::Sub': `${sub('AWS::StackName')}-replica` },
          DashboardBody: {
            'Fn::Sub': JSON.stringify({
              widgets: [
                {
                  type: 'metric',
                  properties: {
                    region: sub('AWS::Region'),
                    metrics: [
                      ['AWS/Lambda', 'Errors', 'FunctionName', sub('Function')],
                      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', sub('Queue.QueueName')],
                      [sub('Namespace'), 'RecordsFailed', 'service', sub('!Literal')],
                    ],
                  },
                },
              ],
            }),
          },
        },
      },
    },
    Outputs: { QueueUrl: { Value: { Ref: 'Queue' } } },
  };
}

type Template = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

/** A copy of the small template changed by `change`. */
function broken(change: (template: Template) => void): JsonObject {
  const template = smallTemplate();
  change(template as unknown as Template);
  return template;
}

function propertiesOf(template: Template, id: string): Record<string, unknown> {
  return template.Resources?.[id]?.Properties as Record<string, unknown>;
}

describe('the spec check finds', () => {
  test('nothing in the small valid template (each case below breaks it in one way only)', () => {
    // Prepare
    const template = smallTemplate();

    // Act
    const findings = check.check(template);

    // Assess
    expect(findings).toEqual([]);
  });

  const cases: [string, (template: Template) => void, RegExp][] = [
    [
      'an unknown property',
      (t) => {
        propertiesOf(t, 'Function').Runtim = 'nodejs22.x';
      },
      /^Resources\.Function\.Properties\.Runtim: AWS::Lambda::Function has no property Runtim \(the spec lists: .*Runtime/,
    ],
    [
      'an unknown property of a nested type',
      (t) => {
        propertiesOf(t, 'Function').Code = { S3Bucket: 'bucket', S3Key: 'key', S3Path: 'x' };
      },
      /^Resources\.Function\.Properties\.Code\.S3Path: Code has no property S3Path/,
    ],
    [
      'a literal of the wrong kind',
      (t) => {
        propertiesOf(t, 'Queue').MessageRetentionPeriod = '14 days';
      },
      /^Resources\.Queue\.Properties\.MessageRetentionPeriod: "14 days" is not an integer$/,
    ],
    [
      'a boolean that is not one',
      (t) => {
        propertiesOf(t, 'Queue').SqsManagedSseEnabled = 'yes';
      },
      /^Resources\.Queue\.Properties\.SqsManagedSseEnabled: "yes" is not a boolean$/,
    ],
    [
      'a single value where the spec wants a list',
      (t) => {
        propertiesOf(t, 'Function').Architectures = 'arm64';
      },
      /^Resources\.Function\.Properties\.Architectures: "arm64" is not a List of string$/,
    ],
    [
      'a wrong kind in one branch of Fn::If',
      (t) => {
        propertiesOf(t, 'Function').MemorySize = { 'Fn::If': ['HasTopic', 'big', 256] };
      },
      /^Resources\.Function\.Properties\.MemorySize\.Fn::If\[1\]: "big" is not an integer$/,
    ],
    [
      'a missing required property',
      (t) => {
        delete propertiesOf(t, 'Function').Role;
      },
      /^Resources\.Function\.Properties\.Role: required by AWS::Lambda::Function, and missing$/,
    ],
    [
      'a missing required property of a nested type',
      (t) => {
        propertiesOf(t, 'Alarm').Dimensions = [{ Name: 'QueueName' }];
      },
      /^Resources\.Alarm\.Properties\.Dimensions\[0\]\.Value: required by Dimension, and missing$/,
    ],
    [
      'a tag without a value',
      (t) => {
        propertiesOf(t, 'Role').Tags = [{ Key: 'app' }];
      },
      /^Resources\.Role\.Properties\.Tags\[0\]\.Value: required by Tag, and missing$/,
    ],
    [
      'a Lambda runtime that does not exist',
      (t) => {
        propertiesOf(t, 'Function').Runtime = 'nodejs99.x';
      },
      /^Resources\.Function\.Properties\.Runtime: "nodejs99\.x" is not allowed by Lambda Runtime of the API model .*nodejs22\.x/,
    ],
    [
      'an alarm statistic CloudWatch does not have',
      (t) => {
        propertiesOf(t, 'Alarm').Statistic = 'Max';
      },
      /^Resources\.Alarm\.Properties\.Statistic: "Max" is not allowed by CloudWatch Statistic of the API model .*: Average, Maximum/,
    ],
    [
      'a value outside the spec’s allowed values',
      (t) => {
        propertiesOf(t, 'Logs').RetentionInDays = 31;
      },
      /^Resources\.Logs\.Properties\.RetentionInDays: 31 is not allowed by the spec: 1, 3, 5, 7, 14, 30/,
    ],
    [
      'a parameter allowing a value the property does not',
      (t) => {
        (t.Parameters as Record<string, Record<string, unknown>>).Start = {
          Type: 'String',
          AllowedValues: ['LATEST', 'EARLIEST'],
        };
      },
      /^Resources\.Trigger\.Properties\.StartingPosition: parameter Start allows EARLIEST, which Lambda EventSourcePosition of the API model/,
    ],
    [
      'a list parameter where a single value belongs',
      (t) => {
        propertiesOf(t, 'Function').Handler = { Ref: 'Names' };
      },
      /^Resources\.Function\.Properties\.Handler: parameter Names \(CommaDelimitedList\) does not give a string$/,
    ],
    [
      'an unknown resource type',
      (t) => {
        (t.Resources as Record<string, unknown>).Extra = { Type: 'AWS::Lambda::Functon', Properties: {} };
      },
      /^Resources\.Extra\.Type: AWS::Lambda::Functon is not a resource type of the CloudFormation spec$/,
    ],
    [
      'a Fn::GetAtt of an attribute the type does not have',
      (t) => {
        propertiesOf(t, 'Alarm').Dimensions = [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['Queue', 'Name'] } }];
      },
      /^Resources\.Alarm\.Properties\.Dimensions\[0\]\.Value: Fn::GetAtt Queue\.Name: AWS::SQS::Queue has no attribute Name \(the spec lists: .*QueueName/,
    ],
    [
      'a Fn::GetAtt of a resource that does not exist',
      (t) => {
        propertiesOf(t, 'Function').Role = { 'Fn::GetAtt': 'FunctionRole.Arn' };
      },
      /^Resources\.Function\.Properties\.Role: Fn::GetAtt FunctionRole\.Arn names no resource/,
    ],
    [
      'a Fn::Sub of an unknown name',
      (t) => {
        propertiesOf(t, 'Function').Description = { 'Fn::Sub': `replicates ${sub('MasterTable')}` };
      },
      /^Resources\.Function\.Properties\.Description\.Fn::Sub: Ref MasterTable names no parameter, resource or pseudo parameter$/,
    ],
    [
      'a Fn::Sub of a missing attribute in a dashboard body',
      (t) => {
        propertiesOf(t, 'Dashboard').DashboardBody = {
          'Fn::Sub': JSON.stringify({ widgets: [{ queue: sub('Queue.Url') }] }),
        };
      },
      /^Resources\.Dashboard\.Properties\.DashboardBody\.Fn::Sub: Fn::GetAtt Queue\.Url: AWS::SQS::Queue has no attribute Url/,
    ],
    [
      'a Ref to nothing',
      (t) => {
        propertiesOf(t, 'Trigger').FunctionName = { Ref: 'Fn' };
      },
      /^Resources\.Trigger\.Properties\.FunctionName: Ref Fn names no parameter, resource or pseudo parameter$/,
    ],
    [
      'a Ref to a resource inside Conditions',
      (t) => {
        (t.Conditions as Record<string, unknown>).IsQueue = { 'Fn::Equals': [{ Ref: 'Queue' }, 'q'] };
      },
      /^Conditions\.IsQueue\.Fn::Equals\[0\]: Ref Queue names a resource, and Conditions may name only parameters$/,
    ],
    [
      'a Fn::If on an undefined condition',
      (t) => {
        propertiesOf(t, 'Function').MemorySize = { 'Fn::If': ['IsBig', 512, 256] };
      },
      /^Resources\.Function\.Properties\.MemorySize\.Fn::If: condition IsBig is not defined in Conditions$/,
    ],
    [
      'a resource Condition that is not defined',
      (t) => {
        (t.Resources?.Alarm as Record<string, unknown>).Condition = 'HasTopics';
      },
      /^Resources\.Alarm\.Condition: condition HasTopics is not defined in Conditions$/,
    ],
    [
      'a function that is not an intrinsic function',
      (t) => {
        propertiesOf(t, 'Function').Handler = { 'Fn::Concat': ['index', '.handler'] };
      },
      /^Resources\.Function\.Properties\.Handler: Fn::Concat is not a CloudFormation intrinsic function$/,
    ],
    [
      'a parameter default its own AllowedPattern refuses',
      (t) => {
        (t.Parameters?.Code as Record<string, unknown>).Default = 'Code-1.zip';
      },
      /^Parameters\.Code\.Default: "Code-1\.zip" does not match its AllowedPattern/,
    ],
  ];

  test.each(cases)('%s', (_name, change, expected) => {
    // Prepare
    const template = broken(change);

    // Act
    const findings = check.check(template);

    // Assess
    expect(findings).toEqual([expect.stringMatching(expected)]);
  });
});
