#!/usr/bin/env node
// The `microservices` example of this repository (seed 000, "VPC Networking and IAM") written
// with the AWS CDK, so that both can be timed on the same architecture. It follows
// examples/microservices resource by resource where the AWS CDK allows it; bench/README.md lists
// where it differs.
//
//   node app.js [SERVICES]          # writes cdk.out/ (or $CDK_OUTDIR), SERVICES defaults to 2
//   SERVICES=40 npx cdk synth -q    # the same through the AWS CDK CLI (cdk.json runs this file)
//
// Plain JavaScript, so that what is timed is the AWS CDK's own work and not a TypeScript
// compiler, which a TypeScript app runs before the same work.
'use strict';

const path = require('path');
const cdk = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const ecs = require('aws-cdk-lib/aws-ecs');
const elbv2 = require('aws-cdk-lib/aws-elasticloadbalancingv2');
const rds = require('aws-cdk-lib/aws-rds');
const elasticache = require('aws-cdk-lib/aws-elasticache');
const iam = require('aws-cdk-lib/aws-iam');
const logs = require('aws-cdk-lib/aws-logs');
const s3 = require('aws-cdk-lib/aws-s3');
const sqs = require('aws-cdk-lib/aws-sqs');
const dynamodb = require('aws-cdk-lib/aws-dynamodb');
const ssm = require('aws-cdk-lib/aws-ssm');
const secretsmanager = require('aws-cdk-lib/aws-secretsmanager');
const { Construct } = require('constructs');

// The port every service listens on: the seed's chain is ALB -> tasks on 3000.
const PORT = 3000;

// The same split as the Rust example, whose stacks stay under CloudFormation's 500 resources:
// the platform and the first 17 services in the first stack, then 25 services per stack.
const SERVICES_IN_FIRST_STACK = 17;
const SERVICES_PER_STACK = 25;

// Seed §1-§2: the tiers and their CIDRs, two AZs each.
const TIERS = [
  { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrs: ['10.0.1.0/24', '10.0.2.0/24'] },
  {
    name: 'Private',
    subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS,
    cidrs: ['10.0.10.0/24', '10.0.20.0/24'],
  },
  {
    name: 'Data',
    subnetType: ec2.SubnetType.PRIVATE_ISOLATED,
    cidrs: ['10.0.100.0/24', '10.0.200.0/24'],
  },
];

// The AWS CDK's Vpc allocates subnet CIDRs one after the other; the seed fixes them, so the
// allocation is given to the Vpc through its address-management interface.
class SeedAddresses {
  allocateVpcCidr() {
    return { cidrBlock: '10.0.0.0/16' };
  }

  allocateSubnetsCidr(request) {
    const next = new Map();
    return {
      allocatedSubnets: request.requestedSubnets.map((subnet) => {
        const tier = TIERS.find((t) => t.name === subnet.configuration.name);
        const i = next.get(tier.name) || 0;
        next.set(tier.name, i + 1);
        return { cidr: tier.cidrs[i] };
      }),
    };
  }
}

// What the services share: network, cluster, load balancer, data tier, and the seed's bucket,
// queues and table.
class Platform extends Construct {
  constructor(scope, id) {
    super(scope, id);

    // Seed §3: a NAT gateway per AZ; §6: the S3 gateway endpoint for the private and data tiers.
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      vpcName: 'microservices-vpc',
      ipAddresses: new SeedAddresses(),
      maxAzs: 2,
      natGateways: 2,
      // The flags of a new AWS CDK app add a custom resource (a Lambda function) that empties
      // the VPC's default security group; the Rust example leaves that group as it is.
      restrictDefaultSecurityGroup: false,
      subnetConfiguration: TIERS.map((t) => ({ name: t.name, subnetType: t.subnetType, cidrMask: 24 })),
      gatewayEndpoints: {
        S3: {
          service: ec2.GatewayVpcEndpointAwsService.S3,
          subnets: [
            { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
            { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
          ],
        },
      },
    });
    const privateSubnets = this.vpc.selectSubnets({ subnetGroupName: 'Private' }).subnets;
    const publicSubnets = this.vpc.selectSubnets({ subnetGroupName: 'Public' }).subnets;
    const dataSubnets = this.vpc.selectSubnets({ subnetGroupName: 'Data' }).subnets;

    // Seed §6: the interface endpoints, each admitting HTTPS from the private subnets.
    const endpoints = {
      EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
      EcrDkr: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
      Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
    };
    for (const [id, service] of Object.entries(endpoints)) {
      const sg = new ec2.SecurityGroup(this, `${id}EndpointSecurityGroup`, {
        vpc: this.vpc,
        description: `Interface endpoint ${id}: HTTPS from the private subnets`,
        allowAllOutbound: false,
      });
      for (const subnet of privateSubnets) {
        sg.addIngressRule(ec2.Peer.ipv4(subnet.ipv4CidrBlock), ec2.Port.tcp(443));
      }
      this.vpc.addInterfaceEndpoint(`${id}Endpoint`, {
        service,
        subnets: { subnetGroupName: 'Private' },
        securityGroups: [sg],
        privateDnsEnabled: true,
        open: false,
      });
    }

    // Seed §5: the private tier's network ACL, the same entries as the Rust example's.
    const nacl = new ec2.NetworkAcl(this, 'PrivateNacl', {
      vpc: this.vpc,
      networkAclName: 'microservices-private',
      subnetSelection: { subnetGroupName: 'Private' },
    });
    const entry = (id, number, direction, cidr, traffic) =>
      nacl.addEntry(id, {
        ruleNumber: number,
        direction,
        cidr: ec2.AclCidr.ipv4(cidr),
        traffic,
        ruleAction: ec2.Action.ALLOW,
      });
    const ephemeral = ec2.AclTraffic.tcpPortRange(1024, 65535);
    publicSubnets.forEach((s, i) =>
      entry(`AlbIn${i}`, 100 + i, ec2.TrafficDirection.INGRESS, s.ipv4CidrBlock, ec2.AclTraffic.tcpPort(PORT)),
    );
    privateSubnets.forEach((s, i) =>
      entry(`EndpointsIn${i}`, 110 + i, ec2.TrafficDirection.INGRESS, s.ipv4CidrBlock, ec2.AclTraffic.tcpPort(443)),
    );
    entry('RepliesIn', 120, ec2.TrafficDirection.INGRESS, '0.0.0.0/0', ephemeral);
    entry('RepliesOut', 100, ec2.TrafficDirection.EGRESS, '0.0.0.0/0', ephemeral);
    entry('HttpsOut', 110, ec2.TrafficDirection.EGRESS, '0.0.0.0/0', ec2.AclTraffic.tcpPort(443));
    dataSubnets.forEach((s, i) => {
      entry(`PostgresOut${i}`, 120 + i, ec2.TrafficDirection.EGRESS, s.ipv4CidrBlock, ec2.AclTraffic.tcpPort(5432));
      entry(`RedisOut${i}`, 130 + i, ec2.TrafficDirection.EGRESS, s.ipv4CidrBlock, ec2.AclTraffic.tcpPort(6379));
    });

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: this.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      enableFargateCapacityProviders: true,
    });

    // Seed §4: the ALB admits 80 from the internet and reaches nothing until services are
    // routed to it; its access logs go to their own bucket.
    const albLogs = privateBucket(this, 'AlbLogs');
    this.albSecurityGroup = new ec2.SecurityGroup(this, 'AlbSecurityGroup', {
      vpc: this.vpc,
      description: 'Application load balancer: HTTP and HTTPS from the internet',
      allowAllOutbound: false,
    });
    this.alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc: this.vpc,
      internetFacing: true,
      vpcSubnets: { subnetGroupName: 'Public' },
      securityGroup: this.albSecurityGroup,
      dropInvalidHeaderFields: true,
    });
    this.alb.logAccessLogs(albLogs, 'alb');
    this.listener = this.alb.addListener('HttpListener', {
      port: 80,
      open: true,
      defaultAction: elbv2.ListenerAction.fixedResponse(404, {
        contentType: 'text/plain',
        messageBody: 'Not found',
      }),
    });

    // The data tier: Postgres and Redis in the isolated subnets, each behind its own group.
    this.database = new rds.DatabaseInstance(this, 'Database', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17_6 }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO),
      vpc: this.vpc,
      vpcSubnets: { subnetGroupName: 'Data' },
      databaseName: 'app',
      credentials: rds.Credentials.fromGeneratedSecret('app_admin'),
      allocatedStorage: 20,
      storageType: rds.StorageType.GP3,
      storageEncrypted: true,
      multiAz: true,
      publiclyAccessible: false,
      iamAuthentication: true,
      monitoringInterval: cdk.Duration.seconds(60),
      backupRetention: cdk.Duration.days(7),
      deletionProtection: true,
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      removalPolicy: cdk.RemovalPolicy.SNAPSHOT,
      securityGroups: [
        new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
          vpc: this.vpc,
          description: 'PostgreSQL: 5432 from the admitted groups only',
          allowAllOutbound: false,
        }),
      ],
    });

    // ElastiCache has no stable L2 construct in aws-cdk-lib: the CloudFormation resources.
    const cacheSecurityGroup = new ec2.SecurityGroup(this, 'CacheSecurityGroup', {
      vpc: this.vpc,
      description: 'Redis: 6379 from the admitted groups only',
      allowAllOutbound: false,
    });
    const cacheSubnets = new elasticache.CfnSubnetGroup(this, 'CacheSubnetGroup', {
      description: 'Isolated subnets of the Redis cache',
      subnetIds: dataSubnets.map((s) => s.subnetId),
    });
    const authToken = new secretsmanager.Secret(this, 'CacheAuthToken', {
      description: 'AUTH token of the Redis cache',
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
    });
    this.cache = new elasticache.CfnReplicationGroup(this, 'Cache', {
      replicationGroupDescription: 'Redis cache',
      engine: 'redis',
      engineVersion: '7.1',
      cacheNodeType: 'cache.t4g.micro',
      numCacheClusters: 2,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      atRestEncryptionEnabled: true,
      transitEncryptionEnabled: true,
      authToken: authToken.secretValue.unsafeUnwrap(),
      port: 6379,
      snapshotRetentionLimit: 1,
      autoMinorVersionUpgrade: true,
      cacheSubnetGroupName: cacheSubnets.ref,
      securityGroupIds: [cacheSecurityGroup.securityGroupId],
    });
    this.cache.applyRemovalPolicy(cdk.RemovalPolicy.SNAPSHOT);
    this.cacheConnections = new ec2.Connections({
      securityGroups: [cacheSecurityGroup],
      defaultPort: ec2.Port.tcp(6379),
    });

    // Seed §7 and §9: the bucket, queues and table that the services' task roles name.
    this.userProfilePhotos = privateBucket(this, 'UserProfilePhotos');
    this.emailNotifications = queueWithDeadLetters(this, 'EmailNotifications');
    this.orderProcessingQueue = queueWithDeadLetters(this, 'OrderProcessingQueue');
    this.sessions = new dynamodb.Table(this, 'Sessions', {
      partitionKey: { name: 'session_id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
    });

    this.nextPriority = 10;
  }

  // The target group and path rule of one service. They belong to the load balancer's stack,
  // as in the Rust example, so that services of later stacks only import their ARNs.
  route(name, pathPattern) {
    const targetGroup = new elbv2.ApplicationTargetGroup(this, `${name}TargetGroup`, {
      vpc: this.vpc,
      targetType: elbv2.TargetType.IP,
      protocol: elbv2.ApplicationProtocol.HTTP,
      protocolVersion: elbv2.ApplicationProtocolVersion.HTTP1,
      port: PORT,
      deregistrationDelay: cdk.Duration.seconds(30),
      healthCheck: {
        path: '/health',
        interval: cdk.Duration.seconds(15),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
        healthyHttpCodes: '200-399',
      },
    });
    this.listener.addTargetGroups(`${name}Rule`, {
      priority: this.nextPriority,
      conditions: [elbv2.ListenerCondition.pathPatterns([pathPattern])],
      targetGroups: [targetGroup],
    });
    this.nextPriority += 10;
    return targetGroup;
  }
}

// A bucket that nobody outside the account reaches: encrypted, versioned, TLS only.
function privateBucket(scope, id) {
  return new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    enforceSSL: true,
  });
}

// A queue whose messages go to a dead-letter queue (kept 14 days) after 5 receives.
function queueWithDeadLetters(scope, id) {
  const deadLetters = new sqs.Queue(scope, `${id}DeadLetterQueue`, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    retentionPeriod: cdk.Duration.days(14),
  });
  return new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    deadLetterQueue: { queue: deadLetters, maxReceiveCount: 5 },
  });
}

// The ECS execution role shared by the services of one stack (seed §7's one execution role).
// The AWS CDK grants it, per task definition, the logs, image and secrets it reads.
function executionRole(scope) {
  return new iam.Role(scope, 'ExecutionRole', {
    assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    description: 'ECS execution role shared by several services',
  });
}

// One microservice, the bundle the seed repeats per service: a Fargate service with its own
// task role, log group, configuration parameter and database-credentials secret, routed from the
// shared load balancer and admitted to Postgres and Redis.
class Microservice extends Construct {
  constructor(scope, id, { platform, execution, name, pkg, pathPattern, exec }) {
    super(scope, id);

    const config = new ssm.StringParameter(this, 'Config', {
      parameterName: `/${name}/config`,
      stringValue: '{"logLevel":"info"}',
      description: `Runtime configuration of ${name}`,
    });
    const credentials = new secretsmanager.Secret(this, 'Credentials', {
      description: `Database credentials of ${name}`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: name.replace(/-/g, '_') }),
        generateStringKey: 'password',
        passwordLength: 32,
        excludePunctuation: true,
      },
    });

    this.taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: "ECS task role: the application's permissions",
    });
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: name,
      cpu: 512,
      memoryLimitMiB: 1024,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      executionRole: execution,
      taskRole: this.taskRole,
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });
    taskDefinition.addContainer('app', {
      // The service's image, built by the AWS CDK CLI at deploy time from a Docker context
      // directory; services that run the same package share one asset.
      image: ecs.ContainerImage.fromAsset(path.join(__dirname, 'image'), {
        buildArgs: { PACKAGE: pkg },
      }),
      portMappings: [{ containerPort: PORT }],
      environment: {
        DB_HOST: platform.database.dbInstanceEndpointAddress,
        REDIS_HOST: platform.cache.attrPrimaryEndPointAddress,
      },
      secrets: {
        CONFIG: ecs.Secret.fromSsmParameter(config),
        DB_USERNAME: ecs.Secret.fromSecretsManager(credentials, 'username'),
        DB_PASSWORD: ecs.Secret.fromSecretsManager(credentials, 'password'),
      },
      healthCheck: {
        command: ['CMD', `/app/${pkg}`, '--health-check'],
        interval: cdk.Duration.seconds(30),
        timeout: cdk.Duration.seconds(5),
        retries: 3,
        startPeriod: cdk.Duration.seconds(10),
      },
      readonlyRootFilesystem: true,
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'app' }),
    });

    // Seed §4: the tasks send HTTPS anywhere (NAT, endpoints) and nothing else unless asked.
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: platform.vpc,
      description: `Tasks of service ${name}`,
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443));

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: platform.cluster,
      taskDefinition,
      desiredCount: 2,
      capacityProviderStrategies: [{ capacityProvider: 'FARGATE', weight: 1, base: 0 }],
      vpcSubnets: { subnetGroupName: 'Private' },
      assignPublicIp: false,
      securityGroups: [securityGroup],
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      enableECSManagedTags: true,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableExecuteCommand: exec,
      healthCheckGracePeriod: cdk.Duration.seconds(60),
    });

    // Routing: the target group stays with the load balancer. A service in another stack
    // attaches to an imported reference of it, and every security-group rule is added from the
    // service's side, where the AWS CDK places both halves of a rule between two stacks in the
    // service's stack; the other way round the first stack would name groups of later stacks
    // while they name its cluster, and the stacks would depend on each other.
    const targetGroup = platform.route(name, pathPattern);
    const sameStack = cdk.Stack.of(this) === cdk.Stack.of(platform);
    const target = sameStack
      ? targetGroup
      : elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(this, 'TargetGroup', {
          targetGroupArn: targetGroup.targetGroupArn,
        });
    if (!sameStack) {
      cdk.Annotations.of(this).acknowledgeWarning(
        '@aws-cdk/aws-elbv2:albTargetGroupCannotRegisterConnectable',
        'the rules between the load balancer and the tasks are added below',
      );
    }
    this.service.attachToApplicationTargetGroup(target);
    this.service.connections.allowFrom(platform.alb, ec2.Port.tcp(PORT));
    this.service.connections.allowTo(platform.database, ec2.Port.tcp(5432));
    this.service.connections.allowTo(platform.cacheConnections, ec2.Port.tcp(6379));
  }
}

// Seed §7: the user-service reads and writes the profile photos, sends to
// `email-notifications`, and may be reached with ECS Exec (the task role's ssmmessages actions,
// which the AWS CDK adds for `enableExecuteCommand`).
function userService(scope, id, platform, execution, name, pathPattern) {
  const users = new Microservice(scope, id, {
    platform,
    execution,
    name,
    pkg: 'user-service',
    pathPattern,
    exec: true,
  });
  const bucket = platform.userProfilePhotos;
  users.taskRole.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
  );
  users.taskRole.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      resources: [bucket.arnForObjects('*')],
    }),
  );
  users.taskRole.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
      resources: [platform.emailNotifications.queueArn],
    }),
  );
  return users;
}

// Seed §9: the order-service consumes `order-processing-queue` and reads and writes items of
// `sessions`, with the document's actions.
function orderService(scope, id, platform, execution, name, pathPattern) {
  const orders = new Microservice(scope, id, {
    platform,
    execution,
    name,
    pkg: 'order-service',
    pathPattern,
    exec: false,
  });
  orders.taskRole.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
      resources: [platform.orderProcessingQueue.queueArn],
    }),
  );
  orders.taskRole.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
      ],
      resources: [platform.sessions.tableArn],
    }),
  );
  return orders;
}

// The stack (0 = the first) that holds service number `i` (from 0).
function stackOf(i) {
  return i < SERVICES_IN_FIRST_STACK ? 0 : 1 + Math.floor((i - SERVICES_IN_FIRST_STACK) / SERVICES_PER_STACK);
}

// `user-service` -> `UserService`, so that logical ids read like the service names.
function pascalCase(name) {
  return name
    .split(/[-_]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

// The app with `services` services: the seed's user-service and order-service, then
// alternating copies of them (`service-03`, ...), as the Rust example's `build_app`.
function buildApp(services) {
  // `node app.js` run on its own reads no cdk.json, so the app passes the feature flags of
  // cdk.json itself: run directly or through the CLI, it builds the same templates.
  const context = require('./cdk.json').context;
  // Without an output directory from the CLI, write cdk.out beside the app as the CLI would
  // (the AWS CDK's own default is a new temporary directory).
  const outdir = process.env.CDK_OUTDIR || path.join(__dirname, 'cdk.out');
  const app = new cdk.App({ context, outdir });

  // The AWS CDK writes the load balancer's access-log bucket policy only for a known region
  // (it names that region's load-balancing account): the seed's region. The account stays
  // open, as in the Rust example.
  const env = { region: 'us-east-1' };
  const stackCount = stackOf(services - 1) + 1;
  const first = new cdk.Stack(app, 'Microservices', {
    env,
    description: 'Seed 000: ECS Fargate microservices in a three-tier VPC',
  });
  const platform = new Platform(first, 'Platform');
  new cdk.CfnOutput(first, 'Url', {
    value: platform.alb.loadBalancerDnsName,
    description: 'Load balancer DNS name',
  });
  const stacks = [first];
  for (let n = 1; n < stackCount; n++) {
    const stack = new cdk.Stack(app, `Microservices${n + 1}`, {
      env,
      description: 'Seed 000: more microservices of the Microservices stack',
    });
    stacks.push(stack);
  }
  const executions = stacks.map((stack) => {
    cdk.Tags.of(stack).add('project', 'microservices');
    return executionRole(stack);
  });

  for (let i = 0; i < services; i++) {
    let name;
    let pathPattern;
    if (i === 0) {
      [name, pathPattern] = ['user-service', '/users/*'];
    } else if (i === 1) {
      [name, pathPattern] = ['order-service', '/orders/*'];
    } else {
      const n = String(i + 1).padStart(2, '0');
      [name, pathPattern] = [`service-${n}`, `/service-${n}/*`];
    }
    const s = stackOf(i);
    const make = i % 2 === 0 ? userService : orderService;
    make(stacks[s], pascalCase(name), platform, executions[s], name, pathPattern);
  }
  return app;
}

function main() {
  const arg = process.argv[2] || process.env.SERVICES || '2';
  const services = Number(arg);
  if (!Number.isInteger(services) || services < 1) {
    console.error(`services must be a whole number of 1 or more, got "${arg}"`);
    process.exit(2);
  }
  buildApp(services).synth();
}

main();
