//! Curated id kinds: which `Ref`s, `Fn::GetAtt` attributes and properties carry a typed id
//! (`rcdk_core::kind::*`) rather than a plain string. Anything not listed stays `String`: a wrong
//! kind would block a valid program, while a missing one only loses a check (and every id kind
//! converts into `Val<String>`, so string properties still accept typed ids).

/// The kind `Ref` returns for `type_name`, when it is a known id.
pub fn ref_kind(type_name: &str) -> Option<&'static str> {
    Some(match type_name {
        "AWS::EC2::VPC" => "VpcId",
        "AWS::EC2::Subnet" => "SubnetId",
        "AWS::EC2::SecurityGroup" => "SecurityGroupId",
        "AWS::EC2::RouteTable" => "RouteTableId",
        "AWS::EC2::InternetGateway" => "InternetGatewayId",
        "AWS::EC2::NatGateway" => "NatGatewayId",
        "AWS::EC2::NetworkAcl" => "NetworkAclId",
        "AWS::EC2::VPCEndpoint" => "VpcEndpointId",
        "AWS::EC2::Instance" => "InstanceId",
        "AWS::EC2::Volume" => "VolumeId",
        "AWS::EC2::KeyPair" => "KeyPairName",
        "AWS::IAM::Role" => "RoleName",
        "AWS::IAM::ManagedPolicy" => "PolicyArn",
        "AWS::S3::Bucket" => "BucketName",
        "AWS::Logs::LogGroup" => "LogGroupName",
        "AWS::ECS::TaskDefinition" => "TaskDefinitionArn",
        "AWS::ElasticLoadBalancingV2::TargetGroup" => "TargetGroupArn",
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => "LoadBalancerArn",
        "AWS::ElasticLoadBalancingV2::Listener" => "ListenerArn",
        "AWS::SSM::Parameter" => "ParameterName",
        "AWS::RDS::DBSubnetGroup" => "DbSubnetGroupName",
        "AWS::ElastiCache::SubnetGroup" => "CacheSubnetGroupName",
        "AWS::SecretsManager::Secret" => "SecretArn",
        "AWS::KMS::Key" => "KmsKeyId",
        "AWS::Route53::HostedZone" => "HostedZoneId",
        "AWS::CertificateManager::Certificate" => "CertificateArn",
        "AWS::SQS::Queue" => "QueueUrl",
        "AWS::DynamoDB::Table" => "TableName",
        "AWS::SNS::Topic" => "TopicArn",
        "AWS::ECR::Repository" => "RepositoryName",
        "AWS::ECS::Cluster" => "ClusterName",
        "AWS::ECS::Service" => "ServiceArn",
        "AWS::ElasticLoadBalancingV2::ListenerRule" => "ListenerRuleArn",
        "AWS::RDS::DBInstance" => "DbInstanceIdentifier",
        _ => return None,
    })
}

/// The kind of attribute `attr` of `type_name`, when it is a known id. Attributes named `Arn`
/// (or ending in `Arn`) that are not listed are generic ARNs.
pub fn att_kind(type_name: &str, attr: &str) -> Option<&'static str> {
    let specific = match (type_name, attr) {
        ("AWS::IAM::Role", "Arn") => "RoleArn",
        ("AWS::IAM::ManagedPolicy", "PolicyArn") => "PolicyArn",
        ("AWS::KMS::Key", "Arn") => "KmsKeyArn",
        ("AWS::KMS::Key", "KeyId") => "KmsKeyId",
        ("AWS::ECS::Cluster", "Arn") => "ClusterArn",
        ("AWS::ECS::TaskDefinition", "TaskDefinitionArn") => "TaskDefinitionArn",
        ("AWS::EC2::SecurityGroup", "GroupId") => "SecurityGroupId",
        ("AWS::EC2::VPC", "VpcId") => "VpcId",
        ("AWS::EC2::Subnet", "SubnetId") => "SubnetId",
        ("AWS::EC2::Subnet", "AvailabilityZone") => "AvailabilityZone",
        ("AWS::EC2::Subnet", "VpcId") => "VpcId",
        ("AWS::EC2::NatGateway", "NatGatewayId") => "NatGatewayId",
        ("AWS::EC2::InternetGateway", "InternetGatewayId") => "InternetGatewayId",
        ("AWS::EC2::RouteTable", "RouteTableId") => "RouteTableId",
        ("AWS::EC2::NetworkAcl", "Id") => "NetworkAclId",
        ("AWS::EC2::EIP", "AllocationId") => "EipAllocationId",
        ("AWS::EC2::VPCEndpoint", "Id") => "VpcEndpointId",
        ("AWS::EC2::Instance", "InstanceId") => "InstanceId",
        ("AWS::EC2::Instance", "AvailabilityZone") => "AvailabilityZone",
        ("AWS::EC2::Volume", "VolumeId") => "VolumeId",
        ("AWS::ElasticLoadBalancingV2::LoadBalancer", "LoadBalancerArn") => "LoadBalancerArn",
        ("AWS::ElasticLoadBalancingV2::TargetGroup", "TargetGroupArn") => "TargetGroupArn",
        ("AWS::ElasticLoadBalancingV2::Listener", "ListenerArn") => "ListenerArn",
        ("AWS::SecretsManager::Secret", "Id") => "SecretArn",
        ("AWS::Route53::HostedZone", "Id") => "HostedZoneId",
        ("AWS::Logs::LogGroup", "LogGroupName") => "LogGroupName",
        ("AWS::S3::Bucket", "BucketName") => "BucketName",
        ("AWS::S3::Bucket", "Arn") => "BucketArn",
        ("AWS::SQS::Queue", "Arn") => "QueueArn",
        ("AWS::SQS::Queue", "QueueUrl") => "QueueUrl",
        ("AWS::DynamoDB::Table", "Arn") => "TableArn",
        ("AWS::Logs::LogGroup", "Arn") => "LogGroupArn",
        ("AWS::SNS::Topic", "TopicArn") => "TopicArn",
        ("AWS::ECR::Repository", "Arn") => "RepositoryArn",
        ("AWS::ECS::Service", "ServiceArn") => "ServiceArn",
        ("AWS::ECS::Cluster", "ClusterName") => "ClusterName",
        ("AWS::ElasticLoadBalancingV2::ListenerRule", "RuleArn") => "ListenerRuleArn",
        ("AWS::Lambda::Function", "Arn") => "FunctionArn",
        _ => "",
    };
    if !specific.is_empty() {
        return Some(specific);
    }
    let last = attr.rsplit('.').next().unwrap_or(attr);
    (last == "Arn" || last.ends_with("Arn") || last.ends_with("ARN")).then_some("Arn")
}

/// Where a property sits: the resource type, the definition (`None` at the top level) and the
/// property name.
pub struct PropSite<'a> {
    /// `AWS::EC2::Subnet`.
    pub type_name: &'a str,
    /// The schema definition holding the property, if not top level.
    pub definition: Option<&'a str>,
    /// The property name.
    pub name: &'a str,
}

/// The id kind of a string property (or of the items of a list property), when curated.
pub fn prop_kind(site: &PropSite<'_>, is_list: bool) -> Option<&'static str> {
    let t = site.type_name;
    let service = t.split("::").nth(1).unwrap_or("");
    let def = site.definition.unwrap_or("");
    let vpc_context = matches!(
        service,
        "EC2" | "ECS" | "ElasticLoadBalancingV2" | "RDS" | "ElastiCache" | "Lambda" | "EFS"
    );
    let kind = match (site.name, is_list) {
        ("VpcId" | "VPCId", false) => "VpcId",
        ("SubnetId", false) => "SubnetId",
        ("SubnetIds", true) => "SubnetId",
        ("Subnets", true)
            if (service == "ECS" && def == "AwsVpcConfiguration")
                || t == "AWS::ElasticLoadBalancingV2::LoadBalancer" =>
        {
            "SubnetId"
        }
        ("SecurityGroups", true)
            if (service == "ECS" && def == "AwsVpcConfiguration")
                || t == "AWS::ElasticLoadBalancingV2::LoadBalancer" =>
        {
            "SecurityGroupId"
        }
        ("SecurityGroupIds" | "VpcSecurityGroupIds", true) if vpc_context => "SecurityGroupId",
        ("GroupId", false) if t.starts_with("AWS::EC2::SecurityGroup") => "SecurityGroupId",
        ("SourceSecurityGroupId" | "DestinationSecurityGroupId", false) if service == "EC2" => {
            "SecurityGroupId"
        }
        ("RouteTableId", false) if service == "EC2" => "RouteTableId",
        ("InternetGatewayId", false) if t == "AWS::EC2::VPCGatewayAttachment" => {
            "InternetGatewayId"
        }
        ("NatGatewayId", false) if service == "EC2" => "NatGatewayId",
        ("NetworkAclId", false) if service == "EC2" => "NetworkAclId",
        ("AllocationId", false) if service == "EC2" => "EipAllocationId",
        ("ExecutionRoleArn" | "TaskRoleArn", false) if service == "ECS" => "RoleArn",
        ("RoleARN" | "RoleArn", false)
            if service == "ECS" || service == "ApplicationAutoScaling" =>
        {
            "RoleArn"
        }
        ("TargetGroupArn", false) => "TargetGroupArn",
        ("LoadBalancerArn", false) => "LoadBalancerArn",
        ("ListenerArn", false) => "ListenerArn",
        ("CertificateArn", false) if service == "ElasticLoadBalancingV2" => "CertificateArn",
        ("ManagedPolicyArns", true) if service == "IAM" => "PolicyArn",
        ("LogGroupName", false) if service == "Logs" && t != "AWS::Logs::LogGroup" => {
            "LogGroupName"
        }
        ("Bucket", false) if t == "AWS::S3::BucketPolicy" => "BucketName",
        ("DBSubnetGroupName", false) if service == "RDS" && t != "AWS::RDS::DBSubnetGroup" => {
            "DbSubnetGroupName"
        }
        ("CacheSubnetGroupName", false)
            if service == "ElastiCache" && t != "AWS::ElastiCache::SubnetGroup" =>
        {
            "CacheSubnetGroupName"
        }
        ("TaskDefinition", false) if t == "AWS::ECS::Service" => "TaskDefinitionArn",
        ("HostedZoneId", false) if service == "Route53" => "HostedZoneId",
        ("ImageId", false) if service == "EC2" => "ImageId",
        ("KeyName", false) if service == "EC2" => "KeyPairName",
        _ => return None,
    };
    Some(kind)
}

/// Types whose every property (objects expanded to their leaves) is a `Fn::GetAtt` attribute:
/// the list cfn-lint 1.58.0 keeps (`cfnlint/schema/_getatts.py`), mirroring CloudFormation's
/// behaviour for these older types.
pub const ALL_PROPERTY_ATTRIBUTES: &[&str] = &[
    "AWS::Amplify::Branch",
    "AWS::Amplify::Domain",
    "AWS::AppSync::DomainName",
    "AWS::AppSync::FunctionConfiguration",
    "AWS::AppSync::Resolver",
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::Backup::BackupSelection",
    "AWS::Backup::BackupVault",
    "AWS::Backup::LogicallyAirGappedBackupVault",
    "AWS::CodeArtifact::Domain",
    "AWS::CodeArtifact::Repository",
    "AWS::EC2::CapacityReservation",
    "AWS::EC2::Instance",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::Subnet",
    "AWS::EC2::VPC",
    "AWS::EFS::MountTarget",
    "AWS::EKS::Nodegroup",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::Events::EventBus",
    "AWS::EventSchemas::Discoverer",
    "AWS::EventSchemas::Registry",
    "AWS::EventSchemas::Schema",
    "AWS::GameLift::GameSessionQueue",
    "AWS::GameLift::MatchmakingConfiguration",
    "AWS::GameLift::MatchmakingRuleSet",
    "AWS::Grafana::Workspace",
    "AWS::Greengrass::ConnectorDefinition",
    "AWS::Greengrass::CoreDefinition",
    "AWS::Greengrass::DeviceDefinition",
    "AWS::Greengrass::FunctionDefinition",
    "AWS::Greengrass::Group",
    "AWS::Greengrass::LoggerDefinition",
    "AWS::Greengrass::ResourceDefinition",
    "AWS::Greengrass::SubscriptionDefinition",
    "AWS::ImageBuilder::Component",
    "AWS::ImageBuilder::ContainerRecipe",
    "AWS::ImageBuilder::DistributionConfiguration",
    "AWS::ImageBuilder::ImagePipeline",
    "AWS::ImageBuilder::ImageRecipe",
    "AWS::ImageBuilder::InfrastructureConfiguration",
    "AWS::ManagedBlockchain::Node",
    "AWS::Neptune::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBParameterGroup",
    "AWS::RedshiftServerless::Workgroup",
    "AWS::RoboMaker::RobotApplication",
    "AWS::RoboMaker::SimulationApplication",
    "AWS::Route53Resolver::ResolverRule",
    "AWS::Route53Resolver::ResolverRuleAssociation",
    "AWS::S3::AccessPoint",
    "AWS::SageMaker::DataQualityJobDefinition",
    "AWS::SageMaker::ModelBiasJobDefinition",
    "AWS::SageMaker::ModelExplainabilityJobDefinition",
    "AWS::SageMaker::ModelQualityJobDefinition",
    "AWS::SageMaker::MonitoringSchedule",
    "AWS::SNS::Topic",
    "AWS::SQS::Queue",
    "AWS::SSM::Parameter",
    "AWS::StepFunctions::Activity",
];

/// Writable properties that are also `Fn::GetAtt` attributes (cfn-lint 1.58.0's exceptions).
pub fn extra_attributes(type_name: &str) -> &'static [&'static str] {
    match type_name {
        "AWS::AppMesh::GatewayRoute" => &[
            "GatewayRouteName",
            "MeshName",
            "MeshOwner",
            "VirtualGatewayName",
        ],
        "AWS::AppMesh::Mesh" => &["MeshName"],
        "AWS::AppMesh::Route" => &["MeshName", "MeshOwner", "RouteName", "VirtualRouterName"],
        "AWS::AppMesh::VirtualGateway" => &["MeshName", "MeshOwner", "VirtualGatewayName"],
        "AWS::AppMesh::VirtualNode" => &["MeshName", "MeshOwner", "VirtualNodeName"],
        "AWS::AppMesh::VirtualRouter" => &["MeshName", "MeshOwner", "VirtualRouterName"],
        "AWS::AppMesh::VirtualService" => &["MeshName", "MeshOwner", "VirtualServiceName"],
        "AWS::AppSync::DataSource" => &["Name"],
        "AWS::Cloud9::EnvironmentEC2" => &["Name"],
        "AWS::CloudWatch::InsightRule" => &["RuleName"],
        "AWS::DocDB::DBCluster" => &["Port"],
        "AWS::Greengrass::Group" => &["Name", "RoleArn"],
        "AWS::IoT1Click::Device" => &["Enabled"],
        "AWS::IoT1Click::Placement" => &["PlacementName", "ProjectName"],
        "AWS::IoT1Click::Project" => &["ProjectName"],
        "AWS::Kinesis::StreamConsumer" => &["ConsumerName", "StreamARN"],
        "AWS::ManagedBlockchain::Member" => &["NetworkId"],
        "AWS::MediaConvert::JobTemplate"
        | "AWS::MediaConvert::Preset"
        | "AWS::MediaConvert::Queue" => &["Name"],
        "AWS::MediaLive::Input" => &["Destinations", "Sources"],
        "AWS::OpsWorks::Instance" => &["AvailabilityZone"],
        "AWS::OpsWorks::UserProfile" => &["SshUsername"],
        "AWS::Route53Resolver::ResolverEndpoint" => &["Direction", "Name"],
        "AWS::SageMaker::CodeRepository" => &["CodeRepositoryName"],
        "AWS::SageMaker::Endpoint" => &["EndpointName"],
        "AWS::SageMaker::EndpointConfig" => &["EndpointConfigName"],
        "AWS::SageMaker::Model" => &["ModelName"],
        "AWS::SageMaker::NotebookInstance" => &["NotebookInstanceName"],
        "AWS::SageMaker::NotebookInstanceLifecycleConfig" => {
            &["NotebookInstanceLifecycleConfigName"]
        }
        "AWS::SageMaker::Workteam" => &["WorkteamName"],
        "AWS::ServiceDiscovery::Service" => &["Name"],
        "AWS::Transfer::User" => &["ServerId", "UserName"],
        _ => &[],
    }
}
