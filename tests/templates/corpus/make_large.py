#!/usr/bin/env python3
# Copyright the rcdk authors. Licensed under the Apache License, Version 2.0.
"""Generates large-network-fleet.json, the corpus's big template (well over 100 resources).

A VPC spread over three Availability Zones with four subnet tiers, one route table per
private subnet, NAT gateways, network ACLs, security groups with separate rule resources,
per-service SQS queues with dead-letter queues and alarms, and VPC interface endpoints.
The output is deterministic; run `python3 make_large.py` after editing and commit both files.
"""
import json
import pathlib

AZS = 3
TIERS = [("Public", 0), ("App", 1), ("Data", 2), ("Mgmt", 3)]
SERVICES = ["Orders", "Billing", "Shipping", "Inventory", "Search", "Notify"]
ENDPOINTS = ["ssm", "ssmmessages", "ec2messages", "logs", "sqs", "kms", "secretsmanager", "ecr.api", "ecr.dkr", "sts"]
APP_PORTS = [(443, "https"), (8080, "app"), (9090, "metrics")]


def ref(name):
    return {"Ref": name}


def getatt(resource, attribute):
    return {"Fn::GetAtt": [resource, attribute]}


def sub(text):
    return {"Fn::Sub": text}


def name_tag(value):
    return [{"Key": "Name", "Value": sub("${AWS::StackName}-" + value)}]


def build():
    r = {}
    r["Vpc"] = {"Type": "AWS::EC2::VPC", "Properties": {
        "CidrBlock": ref("VpcCidr"), "EnableDnsHostnames": True, "EnableDnsSupport": True, "Tags": name_tag("vpc")}}
    r["InternetGateway"] = {"Type": "AWS::EC2::InternetGateway", "Properties": {"Tags": name_tag("igw")}}
    r["GatewayAttachment"] = {"Type": "AWS::EC2::VPCGatewayAttachment", "Properties": {
        "VpcId": ref("Vpc"), "InternetGatewayId": ref("InternetGateway")}}
    r["PublicRouteTable"] = {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": ref("Vpc"), "Tags": name_tag("public")}}
    r["PublicDefaultRoute"] = {"Type": "AWS::EC2::Route", "DependsOn": "GatewayAttachment", "Properties": {
        "RouteTableId": ref("PublicRouteTable"), "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": ref("InternetGateway")}}

    subnet_count = AZS * len(TIERS)
    for tier, tier_index in TIERS:
        acl = f"{tier}NetworkAcl"
        r[acl] = {"Type": "AWS::EC2::NetworkAcl", "Properties": {"VpcId": ref("Vpc"), "Tags": name_tag(tier.lower())}}
        for egress in (False, True):
            entry = f"{tier}Acl{'Egress' if egress else 'Ingress'}"
            r[entry] = {"Type": "AWS::EC2::NetworkAclEntry", "Properties": {
                "NetworkAclId": ref(acl), "RuleNumber": 100, "Protocol": -1, "RuleAction": "allow",
                "Egress": egress, "CidrBlock": "0.0.0.0/0" if tier == "Public" else ref("VpcCidr")}}
        for az in range(AZS):
            subnet = f"{tier}Subnet{az + 1}"
            index = tier_index * AZS + az
            r[subnet] = {"Type": "AWS::EC2::Subnet", "Properties": {
                "VpcId": ref("Vpc"),
                "AvailabilityZone": {"Fn::Select": [az, {"Fn::GetAZs": ""}]},
                "CidrBlock": {"Fn::Select": [index, {"Fn::Cidr": [getatt("Vpc", "CidrBlock"), subnet_count, ref("SubnetBits")]}]},
                "MapPublicIpOnLaunch": tier == "Public",
                "Tags": name_tag(f"{tier.lower()}-{az + 1}") + [{"Key": "tier", "Value": tier.lower()}]}}
            r[f"{subnet}AclAssociation"] = {"Type": "AWS::EC2::SubnetNetworkAclAssociation", "Properties": {
                "SubnetId": ref(subnet), "NetworkAclId": ref(acl)}}
            if tier == "Public":
                r[f"{subnet}RouteAssociation"] = {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {
                    "SubnetId": ref(subnet), "RouteTableId": ref("PublicRouteTable")}}
                r[f"NatEip{az + 1}"] = {"Type": "AWS::EC2::EIP", "DependsOn": "GatewayAttachment", "Properties": {"Domain": "vpc"}}
                r[f"NatGateway{az + 1}"] = {"Type": "AWS::EC2::NatGateway", "Properties": {
                    "SubnetId": ref(subnet), "AllocationId": getatt(f"NatEip{az + 1}", "AllocationId"), "Tags": name_tag(f"nat-{az + 1}")}}
            else:
                table = f"{tier}RouteTable{az + 1}"
                r[table] = {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": ref("Vpc"), "Tags": name_tag(f"{tier.lower()}-{az + 1}")}}
                r[f"{subnet}RouteAssociation"] = {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {
                    "SubnetId": ref(subnet), "RouteTableId": ref(table)}}
                if tier != "Data":
                    r[f"{tier}DefaultRoute{az + 1}"] = {"Type": "AWS::EC2::Route", "Properties": {
                        "RouteTableId": ref(table), "DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": ref(f"NatGateway{az + 1}")}}

    r["S3GatewayEndpoint"] = {"Type": "AWS::EC2::VPCEndpoint", "Properties": {
        "VpcId": ref("Vpc"), "VpcEndpointType": "Gateway", "ServiceName": sub("com.amazonaws.${AWS::Region}.s3"),
        "RouteTableIds": [ref(f"{t}RouteTable{az + 1}") for t, _ in TIERS if t != "Public" for az in range(AZS)]}}

    # Security groups: one per tier, rules as separate resources.
    for tier, _ in TIERS:
        r[f"{tier}SecurityGroup"] = {"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupDescription": f"{tier.lower()} tier", "VpcId": ref("Vpc"), "Tags": name_tag(f"{tier.lower()}-sg")}}
    r["PublicHttpsIngress"] = {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
        "GroupId": ref("PublicSecurityGroup"), "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0", "Description": "https from anywhere"}}
    for port, label in APP_PORTS:
        r[f"AppIngress{label.capitalize()}"] = {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
            "GroupId": ref("AppSecurityGroup"), "IpProtocol": "tcp", "FromPort": port, "ToPort": port,
            "SourceSecurityGroupId": ref("PublicSecurityGroup"), "Description": f"{label} from the public tier"}}
    for port, label in [(5432, "postgres"), (6379, "redis")]:
        r[f"DataIngress{label.capitalize()}"] = {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
            "GroupId": ref("DataSecurityGroup"), "IpProtocol": "tcp", "FromPort": port, "ToPort": port,
            "SourceSecurityGroupId": ref("AppSecurityGroup"), "Description": f"{label} from the app tier"}}
    r["MgmtSshIngress"] = {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
        "GroupId": ref("MgmtSecurityGroup"), "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": ref("AdminCidr")}}
    r["EndpointSecurityGroup"] = {"Type": "AWS::EC2::SecurityGroup", "Properties": {
        "GroupDescription": "interface endpoints", "VpcId": ref("Vpc"),
        "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": ref("VpcCidr")}]}}
    for service in ENDPOINTS:
        logical = "Endpoint" + "".join(part.capitalize() for part in service.split("."))
        r[logical] = {"Type": "AWS::EC2::VPCEndpoint", "Properties": {
            "VpcId": ref("Vpc"), "VpcEndpointType": "Interface", "PrivateDnsEnabled": True,
            "ServiceName": sub("com.amazonaws.${AWS::Region}." + service),
            "SubnetIds": [ref(f"MgmtSubnet{az + 1}") for az in range(AZS)],
            "SecurityGroupIds": [ref("EndpointSecurityGroup")]}}

    r["AlarmTopic"] = {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "fleet alarms"}}
    for service in SERVICES:
        r[f"{service}DeadLetterQueue"] = {"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": 1209600}}
        r[f"{service}Queue"] = {"Type": "AWS::SQS::Queue", "Properties": {
            "VisibilityTimeout": ref("VisibilityTimeout"),
            "RedrivePolicy": {"deadLetterTargetArn": getatt(f"{service}DeadLetterQueue", "Arn"), "maxReceiveCount": 5},
            "Tags": [{"Key": "service", "Value": service.lower()}]}}
        r[f"{service}DlqAlarm"] = {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "AlarmDescription": f"{service} dead-letter queue is not empty",
            "Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": [{"Name": "QueueName", "Value": getatt(f"{service}DeadLetterQueue", "QueueName")}],
            "Statistic": "Maximum", "Period": 60, "EvaluationPeriods": 1, "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold", "AlarmActions": [ref("AlarmTopic")]}}
        r[f"{service}AgeAlarm"] = {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "AlarmDescription": f"{service} messages are getting old",
            "Namespace": "AWS/SQS", "MetricName": "ApproximateAgeOfOldestMessage",
            "Dimensions": [{"Name": "QueueName", "Value": getatt(f"{service}Queue", "QueueName")}],
            "Statistic": "Maximum", "Period": 300, "EvaluationPeriods": 3, "Threshold": ref("MaxMessageAgeSeconds"),
            "ComparisonOperator": "GreaterThanThreshold", "AlarmActions": [ref("AlarmTopic")]}}
    for az in range(AZS):
        r[f"NatErrorAlarm{az + 1}"] = {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "AlarmDescription": f"NAT gateway {az + 1} is dropping packets",
            "Namespace": "AWS/NATGateway", "MetricName": "PacketsDropCount",
            "Dimensions": [{"Name": "NatGatewayId", "Value": ref(f"NatGateway{az + 1}")}],
            "Statistic": "Sum", "Period": 300, "EvaluationPeriods": 2, "Threshold": 100,
            "ComparisonOperator": "GreaterThanThreshold", "AlarmActions": [ref("AlarmTopic")]}}

    outputs = {
        "VpcId": {"Value": ref("Vpc"), "Export": {"Name": sub("${AWS::StackName}-VpcId")}},
        "AlarmTopicArn": {"Value": ref("AlarmTopic")},
    }
    for tier, _ in TIERS:
        outputs[f"{tier}Subnets"] = {
            "Description": f"{tier.lower()} subnets, comma separated",
            "Value": {"Fn::Join": [",", [ref(f"{tier}Subnet{az + 1}") for az in range(AZS)]]},
            "Export": {"Name": sub("${AWS::StackName}-" + tier + "Subnets")}}
    for service in SERVICES:
        outputs[f"{service}QueueUrl"] = {"Value": ref(f"{service}Queue")}

    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Large network and messaging fleet (generated by make_large.py; written for rcdk, Apache-2.0)",
        "Parameters": {
            "VpcCidr": {"Type": "String", "Default": "10.40.0.0/16", "AllowedPattern": r"^(\d{1,3}\.){3}\d{1,3}/16$"},
            "SubnetBits": {"Type": "Number", "Default": 8, "MinValue": 4, "MaxValue": 12},
            "AdminCidr": {"Type": "String", "Default": "203.0.113.0/24"},
            "VisibilityTimeout": {"Type": "Number", "Default": 60},
            "MaxMessageAgeSeconds": {"Type": "Number", "Default": 900},
        },
        "Resources": r,
        "Outputs": outputs,
    }


def main():
    template = build()
    path = pathlib.Path(__file__).with_name("large-network-fleet.json")
    path.write_text(json.dumps(template, indent=2) + "\n", encoding="utf-8")
    print(f"{path.name}: {len(template['Resources'])} resources")


if __name__ == "__main__":
    main()
