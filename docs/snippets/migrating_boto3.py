"""The migration guide's boto3 side: the same calls, synchronous."""

import boto3

# --8<-- [start:setup]
ivs = boto3.client("ivs-realtime", region_name="us-west-2")
resp = ivs.create_stage(name="town-hall")
print(resp["stage"]["arn"])
# --8<-- [end:setup]
ivs.delete_stage(arn=resp["stage"]["arn"])
