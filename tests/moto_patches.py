"""moto_server (pinned moto 5.2.5) with the CloudFormation gaps the example deploy tests hit
filled in, so that the examples' templates are deployed unchanged (they stay what real
CloudFormation gets). Run as `python moto_patches.py -H 127.0.0.1 -p 0`, like moto_server.

Each patch names the moto failure it works around; tests/tests/deploy_examples.rs lists them.

A patch that stands something made up in for what moto lacks (a placeholder resource, a
made-up attribute value) records it: on stderr, and as one JSON object a line in the file
named by the environment variable RCDK_MOTO_SUBSTITUTIONS, which the test reads to assert the
exact set, so a new gap cannot pass unnoticed.
"""

import json
import os
import sys
import threading

from moto.ec2.models import ec2_backends
from moto.ec2.models.elastic_ip_addresses import ElasticAddress
from moto.ec2.models.internet_gateways import InternetGateway
from moto.ec2.models.nat_gateways import NatGateway
from moto.ec2.models.route_tables import RouteTable
from moto.ec2.models.subnets import SubnetRouteTableAssociation
from moto.ec2.models.vpcs import VPCEndPoint
from moto.ec2.models.vpn_gateway import VPCGatewayAttachment
from moto.ssm.models import Parameter


# The substitution record. The file is created (empty) at startup, so a reader can tell a
# script that records from one that does not. Requests are served on several threads.
_SUBSTITUTIONS = os.environ.get("RCDK_MOTO_SUBSTITUTIONS")
_substitutions_lock = threading.Lock()
_substituted = set()
if _SUBSTITUTIONS:
    open(_SUBSTITUTIONS, "w").close()


def _record(kind, stack, logical_id, resource_type, attribute=None, why=""):
    """Logs and records one substitution, once per stack, resource and attribute."""
    key = (kind, stack, logical_id, resource_type, attribute)
    with _substitutions_lock:
        if key in _substituted:
            return
        _substituted.add(key)
        what = resource_type if attribute is None else f"{resource_type} attribute {attribute}"
        print(f"moto_patches: {kind} for {what} {logical_id} in {stack} ({why})", file=sys.stderr, flush=True)
        if _SUBSTITUTIONS:
            entry = {"kind": kind, "stack": stack, "logical_id": logical_id, "type": resource_type}
            if attribute is not None:
                entry["attribute"] = attribute
            with open(_SUBSTITUTIONS, "a") as out:
                out.write(json.dumps(entry) + "\n")


# Gap 1: AWS::SSM::Parameter. CloudFormation's `Tags` is a map of string to string; moto expects
# a list of {Key, Value} ("TypeError: string indices must be integers, not 'str'" in
# put_parameter, HTTP 500). Without a `Name`, CloudFormation generates one; moto passes None
# ("AttributeError: 'NoneType' object has no attribute 'lower'", HTTP 500).
_create_parameter = Parameter.create_from_cloudformation_json.__func__


def _create_parameter_patched(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    resource = dict(cloudformation_json)
    properties = dict(resource.get("Properties", {}))
    if not properties.get("Name"):
        properties["Name"] = resource_name
    tags = properties.get("Tags")
    if isinstance(tags, dict):
        properties["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    resource["Properties"] = properties
    return _create_parameter(cls, resource_name, resource, account_id, region_name, **kwargs)


Parameter.create_from_cloudformation_json = classmethod(_create_parameter_patched)


# Gap 2: stack deletion. moto deletes only some EC2 resource types of a stack; the route tables
# it leaves make the VPC's deletion fail ("DependencyViolation: The vpc vpc-... has dependencies
# and cannot be deleted.") and with it DeleteStack. moto's ResourceMap.delete calls
# `resource.delete(account_id, region)` in repeated passes until nothing more goes away, so the
# order below does not matter.
def _backend(account_id, region_name):
    return ec2_backends[account_id][region_name]


def _route_table_delete(self, account_id, region_name):
    # The associations are resources of their own, normally deleted first.
    self._associations.clear()
    _backend(account_id, region_name).delete_route_table(self.id)


def _association_delete(self, account_id, region_name):
    table = _backend(account_id, region_name).route_tables.get(self.route_table_id)
    if table is not None:
        for association_id, subnet_id in list(table._associations.items()):
            if subnet_id == self.subnet_id:
                del table._associations[association_id]


def _attachment_delete(self, account_id, region_name):
    backend = _backend(account_id, region_name)
    if self.gateway_id and self.gateway_id.startswith("igw-"):
        igw = backend.internet_gateways.get(self.gateway_id)
        if igw is not None and igw.vpc is not None:
            backend.detach_internet_gateway(self.gateway_id, self.vpc_id)


def _internet_gateway_delete(self, account_id, region_name):
    _backend(account_id, region_name).delete_internet_gateway(self.id)


def _nat_gateway_delete(self, account_id, region_name):
    _backend(account_id, region_name).delete_nat_gateway(self.id)


def _endpoint_delete(self, account_id, region_name):
    backend = _backend(account_id, region_name)
    # A gateway endpoint removes its routes; skip the route tables deleted before it
    # ("InvalidRouteTableID.NotFound" otherwise, on every later pass).
    if (self.vpc_endpoint_type or "").lower() != "interface":
        self.route_table_ids = [t for t in self.route_table_ids or [] if t in backend.route_tables]
    backend.delete_vpc_endpoints([self.id])


def _address_delete(self, account_id, region_name):
    if self.allocation_id:
        _backend(account_id, region_name).release_address(allocation_id=self.allocation_id)


RouteTable.delete = _route_table_delete
SubnetRouteTableAssociation.delete = _association_delete
VPCGatewayAttachment.delete = _attachment_delete
InternetGateway.delete = _internet_gateway_delete
NatGateway.delete = _nat_gateway_delete
VPCEndPoint.delete = _endpoint_delete
ElasticAddress.delete = _address_delete


# Gap 3: resource types moto's CloudFormation does not implement (ElastiCache replication
# groups, Secrets Manager secrets, RDS subnet groups, S3 bucket and SQS queue policies,
# Application Auto Scaling, ...). moto skips them, so any `Fn::GetAtt` on one fails the whole
# stack ("ValidationError: Template error: instance of Fn::GetAtt references undefined resource
# Cache7DA9DE73") and a `Ref` to one resolves to null. They become inert placeholders with an
# ARN-shaped physical id and made-up attribute values; each one is recorded (kind
# "placeholder"), and the deploy test holds the exact set each example may need, each type with
# the reason moto lacks it.
import moto.cloudformation.parsing as _parsing

_parse_and_create_resource = _parsing.parse_and_create_resource


class UnsupportedPlaceholder:
    """Stands in for a resource moto cannot create; deleting it does nothing."""

    def __init__(self, logical_id, resource_type, account_id, region_name):
        service = resource_type.split("::")[1].lower()
        self.logical_resource_id = logical_id
        self.cf_resource_type = resource_type
        self.type = resource_type
        self.physical_resource_id = (
            f"arn:aws:{service}:{region_name}:{account_id}:moto-placeholder/{logical_id}"
        )

    def get_cfn_attribute(self, attribute_name):
        if attribute_name == "Arn" or attribute_name.endswith("Arn"):
            return self.physical_resource_id
        return f"{self.logical_resource_id.lower()}-{attribute_name.lower().replace('.', '-')}"

    def is_created(self):
        return True

    def delete(self, account_id, region_name):
        pass


def _parse_and_create_resource_patched(logical_id, resource_json, resources_map, account_id, region_name):
    created = _parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name)
    if created is not None:
        return created
    condition = resource_json.get("Condition")
    if condition and not resources_map.lazy_condition_map[condition]:
        return None
    resource_type = resource_json["Type"]
    if _parsing.resource_class_from_type(resource_type):
        return None
    _record(
        "placeholder",
        resources_map["AWS::StackName"],
        logical_id,
        resource_type,
        why="no moto CloudFormation support",
    )
    return UnsupportedPlaceholder(logical_id, resource_type, account_id, region_name)


_parsing.parse_and_create_resource = _parse_and_create_resource_patched


# Gap 4: attributes moto's models do not implement, e.g. `Fn::GetAtt` of an RDS instance's
# `MasterUserSecret.SecretArn` ("ValidationError: Template error: resource Database7566288B
# does not support attribute type MasterUserSecret.SecretArn in Fn::GetAtt"). They get
# made-up values like the placeholders' ones; each one is recorded (kind "attribute").
from moto.cloudformation.exceptions import ValidationError as _ValidationError

_clean_json = _parsing.clean_json


def _clean_json_patched(resource_json, resources_map):
    get_att = resource_json.get("Fn::GetAtt") if isinstance(resource_json, dict) else None
    if not isinstance(get_att, list) or len(get_att) != 2:
        return _clean_json(resource_json, resources_map)
    try:
        return _clean_json(resource_json, resources_map)
    except _ValidationError as error:
        if "does not support attribute type" not in str(getattr(error, "message", error)):
            raise
    logical_id, attribute = get_att
    resource = resources_map[logical_id]
    resource_type = resources_map._resource_json_map.get(logical_id, {}).get("Type")
    _record(
        "attribute",
        resources_map["AWS::StackName"],
        logical_id,
        resource_type or getattr(resource, "cf_resource_type", "unknown"),
        attribute=attribute,
        why="Fn::GetAtt not implemented by moto, made-up value",
    )
    physical_id = getattr(resource, "physical_resource_id", logical_id)
    if attribute == "Arn" or attribute.endswith("Arn"):
        return f"arn:aws:moto:us-east-1:123456789012:{physical_id}/{attribute}"
    return f"{str(physical_id).lower()}-{attribute.lower().replace('.', '-')}"


_parsing.clean_json = _clean_json_patched

# The same in Outputs: moto validates `Fn::GetAtt` there against its models' attribute lists
# before resolving anything ("Template error: resource DBInstance does not support attribute
# type MasterUserSecret.SecretArn in Fn::GetAtt"), and crashes with an AttributeError when
# the type is one it does not implement. cfn-lint checks these attributes against the real
# schemas already, so the check is skipped; the values themselves are resolved through
# `clean_json` above, which records each made-up one.
_parsing.ResourceMap.validate_outputs = lambda self: None


# Gap 5: a TemplateURL on the emulator itself. moto reads a path-style URL
# (http://HOST:PORT/BUCKET/KEY) from its own S3 only when the URL contains "localhost"; for
# http://127.0.0.1:PORT/... it takes the first label of the host ("127") as the bucket
# ("NoSuchBucket"). Loopback addresses are path style too.
import moto.cloudformation.models as _cfn_models
import moto.cloudformation.responses as _cfn_responses
import moto.cloudformation.utils as _cfn_utils
from urllib.parse import urlparse as _urlparse

_get_stack_from_s3_url = _cfn_utils.get_stack_from_s3_url


def _get_stack_from_s3_url_patched(template_url, account_id, partition):
    parts = _urlparse(template_url)
    if parts.hostname in ("127.0.0.1", "::1"):
        template_url = template_url.replace(parts.hostname, "localhost", 1)
    return _get_stack_from_s3_url(template_url, account_id, partition)


_cfn_utils.get_stack_from_s3_url = _get_stack_from_s3_url_patched
_cfn_models.get_stack_from_s3_url = _get_stack_from_s3_url_patched
_cfn_responses.get_stack_from_s3_url = _get_stack_from_s3_url_patched


# Gap 6: AWS::ECR::Repository without `RepositoryName`. CloudFormation generates a lower-case
# name; moto uses its generated "<stack>-<LogicalId>-<suffix>" with the logical id's capitals,
# which its own ECR refuses ("InvalidParameterException: Invalid parameter at 'repositoryName'
# failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+...").
from moto.ecr.models import Repository as _EcrRepository

_create_repository = _EcrRepository.create_from_cloudformation_json.__func__


def _create_repository_patched(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    if not cloudformation_json.get("Properties", {}).get("RepositoryName"):
        resource_name = resource_name.lower()
    return _create_repository(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


_EcrRepository.create_from_cloudformation_json = classmethod(_create_repository_patched)


# Gap 7: AWS::KMS::Key with `Tags`. CloudFormation's tags are `{Key, Value}`; moto hands them to
# its KMS API unchanged, which reads `{TagKey, TagValue}` ("KeyError: 'TagKey'" in
# tag_resource), so the key is not created and every `Fn::GetAtt` on it fails the stack.
from moto.kms.models import Key as _KmsKey

_create_key = _KmsKey.create_from_cloudformation_json.__func__


def _create_key_patched(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    resource = dict(cloudformation_json)
    properties = dict(resource.get("Properties", {}))
    tags = properties.get("Tags")
    if isinstance(tags, list):
        properties["Tags"] = [
            {"TagKey": t.get("Key"), "TagValue": t.get("Value")} for t in tags if isinstance(t, dict)
        ]
    resource["Properties"] = properties
    return _create_key(cls, resource_name, resource, account_id, region_name, **kwargs)


_KmsKey.create_from_cloudformation_json = classmethod(_create_key_patched)


if __name__ == "__main__":
    from moto.server import main

    sys.exit(main())
