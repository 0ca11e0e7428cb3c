namespace CondInst.Kernels.Benchmarks.Importer;

/// <summary>The real R-50 CondInst state dict: key, dtype and shape of all 423 entries (copied from the spec's state_dict_r50.txt).</summary>
internal static class R50StateDict
{
    /// <summary>Tab-separated: key, dtype (float32 or int64), comma-separated shape (absent for a scalar).</summary>
    public const string Table = """
        backbone.conv1.weight	float32	64,3,7,7
        backbone.bn1.weight	float32	64
        backbone.bn1.bias	float32	64
        backbone.bn1.running_mean	float32	64
        backbone.bn1.running_var	float32	64
        backbone.bn1.num_batches_tracked	int64
        backbone.layer1.0.conv1.weight	float32	64,64,1,1
        backbone.layer1.0.bn1.weight	float32	64
        backbone.layer1.0.bn1.bias	float32	64
        backbone.layer1.0.bn1.running_mean	float32	64
        backbone.layer1.0.bn1.running_var	float32	64
        backbone.layer1.0.bn1.num_batches_tracked	int64
        backbone.layer1.0.conv2.weight	float32	64,64,3,3
        backbone.layer1.0.bn2.weight	float32	64
        backbone.layer1.0.bn2.bias	float32	64
        backbone.layer1.0.bn2.running_mean	float32	64
        backbone.layer1.0.bn2.running_var	float32	64
        backbone.layer1.0.bn2.num_batches_tracked	int64
        backbone.layer1.0.conv3.weight	float32	256,64,1,1
        backbone.layer1.0.bn3.weight	float32	256
        backbone.layer1.0.bn3.bias	float32	256
        backbone.layer1.0.bn3.running_mean	float32	256
        backbone.layer1.0.bn3.running_var	float32	256
        backbone.layer1.0.bn3.num_batches_tracked	int64
        backbone.layer1.0.downsample.0.weight	float32	256,64,1,1
        backbone.layer1.0.downsample.1.weight	float32	256
        backbone.layer1.0.downsample.1.bias	float32	256
        backbone.layer1.0.downsample.1.running_mean	float32	256
        backbone.layer1.0.downsample.1.running_var	float32	256
        backbone.layer1.0.downsample.1.num_batches_tracked	int64
        backbone.layer1.1.conv1.weight	float32	64,256,1,1
        backbone.layer1.1.bn1.weight	float32	64
        backbone.layer1.1.bn1.bias	float32	64
        backbone.layer1.1.bn1.running_mean	float32	64
        backbone.layer1.1.bn1.running_var	float32	64
        backbone.layer1.1.bn1.num_batches_tracked	int64
        backbone.layer1.1.conv2.weight	float32	64,64,3,3
        backbone.layer1.1.bn2.weight	float32	64
        backbone.layer1.1.bn2.bias	float32	64
        backbone.layer1.1.bn2.running_mean	float32	64
        backbone.layer1.1.bn2.running_var	float32	64
        backbone.layer1.1.bn2.num_batches_tracked	int64
        backbone.layer1.1.conv3.weight	float32	256,64,1,1
        backbone.layer1.1.bn3.weight	float32	256
        backbone.layer1.1.bn3.bias	float32	256
        backbone.layer1.1.bn3.running_mean	float32	256
        backbone.layer1.1.bn3.running_var	float32	256
        backbone.layer1.1.bn3.num_batches_tracked	int64
        backbone.layer1.2.conv1.weight	float32	64,256,1,1
        backbone.layer1.2.bn1.weight	float32	64
        backbone.layer1.2.bn1.bias	float32	64
        backbone.layer1.2.bn1.running_mean	float32	64
        backbone.layer1.2.bn1.running_var	float32	64
        backbone.layer1.2.bn1.num_batches_tracked	int64
        backbone.layer1.2.conv2.weight	float32	64,64,3,3
        backbone.layer1.2.bn2.weight	float32	64
        backbone.layer1.2.bn2.bias	float32	64
        backbone.layer1.2.bn2.running_mean	float32	64
        backbone.layer1.2.bn2.running_var	float32	64
        backbone.layer1.2.bn2.num_batches_tracked	int64
        backbone.layer1.2.conv3.weight	float32	256,64,1,1
        backbone.layer1.2.bn3.weight	float32	256
        backbone.layer1.2.bn3.bias	float32	256
        backbone.layer1.2.bn3.running_mean	float32	256
        backbone.layer1.2.bn3.running_var	float32	256
        backbone.layer1.2.bn3.num_batches_tracked	int64
        backbone.layer2.0.conv1.weight	float32	128,256,1,1
        backbone.layer2.0.bn1.weight	float32	128
        backbone.layer2.0.bn1.bias	float32	128
        backbone.layer2.0.bn1.running_mean	float32	128
        backbone.layer2.0.bn1.running_var	float32	128
        backbone.layer2.0.bn1.num_batches_tracked	int64
        backbone.layer2.0.conv2.weight	float32	128,128,3,3
        backbone.layer2.0.bn2.weight	float32	128
        backbone.layer2.0.bn2.bias	float32	128
        backbone.layer2.0.bn2.running_mean	float32	128
        backbone.layer2.0.bn2.running_var	float32	128
        backbone.layer2.0.bn2.num_batches_tracked	int64
        backbone.layer2.0.conv3.weight	float32	512,128,1,1
        backbone.layer2.0.bn3.weight	float32	512
        backbone.layer2.0.bn3.bias	float32	512
        backbone.layer2.0.bn3.running_mean	float32	512
        backbone.layer2.0.bn3.running_var	float32	512
        backbone.layer2.0.bn3.num_batches_tracked	int64
        backbone.layer2.0.downsample.0.weight	float32	512,256,1,1
        backbone.layer2.0.downsample.1.weight	float32	512
        backbone.layer2.0.downsample.1.bias	float32	512
        backbone.layer2.0.downsample.1.running_mean	float32	512
        backbone.layer2.0.downsample.1.running_var	float32	512
        backbone.layer2.0.downsample.1.num_batches_tracked	int64
        backbone.layer2.1.conv1.weight	float32	128,512,1,1
        backbone.layer2.1.bn1.weight	float32	128
        backbone.layer2.1.bn1.bias	float32	128
        backbone.layer2.1.bn1.running_mean	float32	128
        backbone.layer2.1.bn1.running_var	float32	128
        backbone.layer2.1.bn1.num_batches_tracked	int64
        backbone.layer2.1.conv2.weight	float32	128,128,3,3
        backbone.layer2.1.bn2.weight	float32	128
        backbone.layer2.1.bn2.bias	float32	128
        backbone.layer2.1.bn2.running_mean	float32	128
        backbone.layer2.1.bn2.running_var	float32	128
        backbone.layer2.1.bn2.num_batches_tracked	int64
        backbone.layer2.1.conv3.weight	float32	512,128,1,1
        backbone.layer2.1.bn3.weight	float32	512
        backbone.layer2.1.bn3.bias	float32	512
        backbone.layer2.1.bn3.running_mean	float32	512
        backbone.layer2.1.bn3.running_var	float32	512
        backbone.layer2.1.bn3.num_batches_tracked	int64
        backbone.layer2.2.conv1.weight	float32	128,512,1,1
        backbone.layer2.2.bn1.weight	float32	128
        backbone.layer2.2.bn1.bias	float32	128
        backbone.layer2.2.bn1.running_mean	float32	128
        backbone.layer2.2.bn1.running_var	float32	128
        backbone.layer2.2.bn1.num_batches_tracked	int64
        backbone.layer2.2.conv2.weight	float32	128,128,3,3
        backbone.layer2.2.bn2.weight	float32	128
        backbone.layer2.2.bn2.bias	float32	128
        backbone.layer2.2.bn2.running_mean	float32	128
        backbone.layer2.2.bn2.running_var	float32	128
        backbone.layer2.2.bn2.num_batches_tracked	int64
        backbone.layer2.2.conv3.weight	float32	512,128,1,1
        backbone.layer2.2.bn3.weight	float32	512
        backbone.layer2.2.bn3.bias	float32	512
        backbone.layer2.2.bn3.running_mean	float32	512
        backbone.layer2.2.bn3.running_var	float32	512
        backbone.layer2.2.bn3.num_batches_tracked	int64
        backbone.layer2.3.conv1.weight	float32	128,512,1,1
        backbone.layer2.3.bn1.weight	float32	128
        backbone.layer2.3.bn1.bias	float32	128
        backbone.layer2.3.bn1.running_mean	float32	128
        backbone.layer2.3.bn1.running_var	float32	128
        backbone.layer2.3.bn1.num_batches_tracked	int64
        backbone.layer2.3.conv2.weight	float32	128,128,3,3
        backbone.layer2.3.bn2.weight	float32	128
        backbone.layer2.3.bn2.bias	float32	128
        backbone.layer2.3.bn2.running_mean	float32	128
        backbone.layer2.3.bn2.running_var	float32	128
        backbone.layer2.3.bn2.num_batches_tracked	int64
        backbone.layer2.3.conv3.weight	float32	512,128,1,1
        backbone.layer2.3.bn3.weight	float32	512
        backbone.layer2.3.bn3.bias	float32	512
        backbone.layer2.3.bn3.running_mean	float32	512
        backbone.layer2.3.bn3.running_var	float32	512
        backbone.layer2.3.bn3.num_batches_tracked	int64
        backbone.layer3.0.conv1.weight	float32	256,512,1,1
        backbone.layer3.0.bn1.weight	float32	256
        backbone.layer3.0.bn1.bias	float32	256
        backbone.layer3.0.bn1.running_mean	float32	256
        backbone.layer3.0.bn1.running_var	float32	256
        backbone.layer3.0.bn1.num_batches_tracked	int64
        backbone.layer3.0.conv2.weight	float32	256,256,3,3
        backbone.layer3.0.bn2.weight	float32	256
        backbone.layer3.0.bn2.bias	float32	256
        backbone.layer3.0.bn2.running_mean	float32	256
        backbone.layer3.0.bn2.running_var	float32	256
        backbone.layer3.0.bn2.num_batches_tracked	int64
        backbone.layer3.0.conv3.weight	float32	1024,256,1,1
        backbone.layer3.0.bn3.weight	float32	1024
        backbone.layer3.0.bn3.bias	float32	1024
        backbone.layer3.0.bn3.running_mean	float32	1024
        backbone.layer3.0.bn3.running_var	float32	1024
        backbone.layer3.0.bn3.num_batches_tracked	int64
        backbone.layer3.0.downsample.0.weight	float32	1024,512,1,1
        backbone.layer3.0.downsample.1.weight	float32	1024
        backbone.layer3.0.downsample.1.bias	float32	1024
        backbone.layer3.0.downsample.1.running_mean	float32	1024
        backbone.layer3.0.downsample.1.running_var	float32	1024
        backbone.layer3.0.downsample.1.num_batches_tracked	int64
        backbone.layer3.1.conv1.weight	float32	256,1024,1,1
        backbone.layer3.1.bn1.weight	float32	256
        backbone.layer3.1.bn1.bias	float32	256
        backbone.layer3.1.bn1.running_mean	float32	256
        backbone.layer3.1.bn1.running_var	float32	256
        backbone.layer3.1.bn1.num_batches_tracked	int64
        backbone.layer3.1.conv2.weight	float32	256,256,3,3
        backbone.layer3.1.bn2.weight	float32	256
        backbone.layer3.1.bn2.bias	float32	256
        backbone.layer3.1.bn2.running_mean	float32	256
        backbone.layer3.1.bn2.running_var	float32	256
        backbone.layer3.1.bn2.num_batches_tracked	int64
        backbone.layer3.1.conv3.weight	float32	1024,256,1,1
        backbone.layer3.1.bn3.weight	float32	1024
        backbone.layer3.1.bn3.bias	float32	1024
        backbone.layer3.1.bn3.running_mean	float32	1024
        backbone.layer3.1.bn3.running_var	float32	1024
        backbone.layer3.1.bn3.num_batches_tracked	int64
        backbone.layer3.2.conv1.weight	float32	256,1024,1,1
        backbone.layer3.2.bn1.weight	float32	256
        backbone.layer3.2.bn1.bias	float32	256
        backbone.layer3.2.bn1.running_mean	float32	256
        backbone.layer3.2.bn1.running_var	float32	256
        backbone.layer3.2.bn1.num_batches_tracked	int64
        backbone.layer3.2.conv2.weight	float32	256,256,3,3
        backbone.layer3.2.bn2.weight	float32	256
        backbone.layer3.2.bn2.bias	float32	256
        backbone.layer3.2.bn2.running_mean	float32	256
        backbone.layer3.2.bn2.running_var	float32	256
        backbone.layer3.2.bn2.num_batches_tracked	int64
        backbone.layer3.2.conv3.weight	float32	1024,256,1,1
        backbone.layer3.2.bn3.weight	float32	1024
        backbone.layer3.2.bn3.bias	float32	1024
        backbone.layer3.2.bn3.running_mean	float32	1024
        backbone.layer3.2.bn3.running_var	float32	1024
        backbone.layer3.2.bn3.num_batches_tracked	int64
        backbone.layer3.3.conv1.weight	float32	256,1024,1,1
        backbone.layer3.3.bn1.weight	float32	256
        backbone.layer3.3.bn1.bias	float32	256
        backbone.layer3.3.bn1.running_mean	float32	256
        backbone.layer3.3.bn1.running_var	float32	256
        backbone.layer3.3.bn1.num_batches_tracked	int64
        backbone.layer3.3.conv2.weight	float32	256,256,3,3
        backbone.layer3.3.bn2.weight	float32	256
        backbone.layer3.3.bn2.bias	float32	256
        backbone.layer3.3.bn2.running_mean	float32	256
        backbone.layer3.3.bn2.running_var	float32	256
        backbone.layer3.3.bn2.num_batches_tracked	int64
        backbone.layer3.3.conv3.weight	float32	1024,256,1,1
        backbone.layer3.3.bn3.weight	float32	1024
        backbone.layer3.3.bn3.bias	float32	1024
        backbone.layer3.3.bn3.running_mean	float32	1024
        backbone.layer3.3.bn3.running_var	float32	1024
        backbone.layer3.3.bn3.num_batches_tracked	int64
        backbone.layer3.4.conv1.weight	float32	256,1024,1,1
        backbone.layer3.4.bn1.weight	float32	256
        backbone.layer3.4.bn1.bias	float32	256
        backbone.layer3.4.bn1.running_mean	float32	256
        backbone.layer3.4.bn1.running_var	float32	256
        backbone.layer3.4.bn1.num_batches_tracked	int64
        backbone.layer3.4.conv2.weight	float32	256,256,3,3
        backbone.layer3.4.bn2.weight	float32	256
        backbone.layer3.4.bn2.bias	float32	256
        backbone.layer3.4.bn2.running_mean	float32	256
        backbone.layer3.4.bn2.running_var	float32	256
        backbone.layer3.4.bn2.num_batches_tracked	int64
        backbone.layer3.4.conv3.weight	float32	1024,256,1,1
        backbone.layer3.4.bn3.weight	float32	1024
        backbone.layer3.4.bn3.bias	float32	1024
        backbone.layer3.4.bn3.running_mean	float32	1024
        backbone.layer3.4.bn3.running_var	float32	1024
        backbone.layer3.4.bn3.num_batches_tracked	int64
        backbone.layer3.5.conv1.weight	float32	256,1024,1,1
        backbone.layer3.5.bn1.weight	float32	256
        backbone.layer3.5.bn1.bias	float32	256
        backbone.layer3.5.bn1.running_mean	float32	256
        backbone.layer3.5.bn1.running_var	float32	256
        backbone.layer3.5.bn1.num_batches_tracked	int64
        backbone.layer3.5.conv2.weight	float32	256,256,3,3
        backbone.layer3.5.bn2.weight	float32	256
        backbone.layer3.5.bn2.bias	float32	256
        backbone.layer3.5.bn2.running_mean	float32	256
        backbone.layer3.5.bn2.running_var	float32	256
        backbone.layer3.5.bn2.num_batches_tracked	int64
        backbone.layer3.5.conv3.weight	float32	1024,256,1,1
        backbone.layer3.5.bn3.weight	float32	1024
        backbone.layer3.5.bn3.bias	float32	1024
        backbone.layer3.5.bn3.running_mean	float32	1024
        backbone.layer3.5.bn3.running_var	float32	1024
        backbone.layer3.5.bn3.num_batches_tracked	int64
        backbone.layer4.0.conv1.weight	float32	512,1024,1,1
        backbone.layer4.0.bn1.weight	float32	512
        backbone.layer4.0.bn1.bias	float32	512
        backbone.layer4.0.bn1.running_mean	float32	512
        backbone.layer4.0.bn1.running_var	float32	512
        backbone.layer4.0.bn1.num_batches_tracked	int64
        backbone.layer4.0.conv2.weight	float32	512,512,3,3
        backbone.layer4.0.bn2.weight	float32	512
        backbone.layer4.0.bn2.bias	float32	512
        backbone.layer4.0.bn2.running_mean	float32	512
        backbone.layer4.0.bn2.running_var	float32	512
        backbone.layer4.0.bn2.num_batches_tracked	int64
        backbone.layer4.0.conv3.weight	float32	2048,512,1,1
        backbone.layer4.0.bn3.weight	float32	2048
        backbone.layer4.0.bn3.bias	float32	2048
        backbone.layer4.0.bn3.running_mean	float32	2048
        backbone.layer4.0.bn3.running_var	float32	2048
        backbone.layer4.0.bn3.num_batches_tracked	int64
        backbone.layer4.0.downsample.0.weight	float32	2048,1024,1,1
        backbone.layer4.0.downsample.1.weight	float32	2048
        backbone.layer4.0.downsample.1.bias	float32	2048
        backbone.layer4.0.downsample.1.running_mean	float32	2048
        backbone.layer4.0.downsample.1.running_var	float32	2048
        backbone.layer4.0.downsample.1.num_batches_tracked	int64
        backbone.layer4.1.conv1.weight	float32	512,2048,1,1
        backbone.layer4.1.bn1.weight	float32	512
        backbone.layer4.1.bn1.bias	float32	512
        backbone.layer4.1.bn1.running_mean	float32	512
        backbone.layer4.1.bn1.running_var	float32	512
        backbone.layer4.1.bn1.num_batches_tracked	int64
        backbone.layer4.1.conv2.weight	float32	512,512,3,3
        backbone.layer4.1.bn2.weight	float32	512
        backbone.layer4.1.bn2.bias	float32	512
        backbone.layer4.1.bn2.running_mean	float32	512
        backbone.layer4.1.bn2.running_var	float32	512
        backbone.layer4.1.bn2.num_batches_tracked	int64
        backbone.layer4.1.conv3.weight	float32	2048,512,1,1
        backbone.layer4.1.bn3.weight	float32	2048
        backbone.layer4.1.bn3.bias	float32	2048
        backbone.layer4.1.bn3.running_mean	float32	2048
        backbone.layer4.1.bn3.running_var	float32	2048
        backbone.layer4.1.bn3.num_batches_tracked	int64
        backbone.layer4.2.conv1.weight	float32	512,2048,1,1
        backbone.layer4.2.bn1.weight	float32	512
        backbone.layer4.2.bn1.bias	float32	512
        backbone.layer4.2.bn1.running_mean	float32	512
        backbone.layer4.2.bn1.running_var	float32	512
        backbone.layer4.2.bn1.num_batches_tracked	int64
        backbone.layer4.2.conv2.weight	float32	512,512,3,3
        backbone.layer4.2.bn2.weight	float32	512
        backbone.layer4.2.bn2.bias	float32	512
        backbone.layer4.2.bn2.running_mean	float32	512
        backbone.layer4.2.bn2.running_var	float32	512
        backbone.layer4.2.bn2.num_batches_tracked	int64
        backbone.layer4.2.conv3.weight	float32	2048,512,1,1
        backbone.layer4.2.bn3.weight	float32	2048
        backbone.layer4.2.bn3.bias	float32	2048
        backbone.layer4.2.bn3.running_mean	float32	2048
        backbone.layer4.2.bn3.running_var	float32	2048
        backbone.layer4.2.bn3.num_batches_tracked	int64
        neck.lateral_convs.0.conv.weight	float32	256,512,1,1
        neck.lateral_convs.0.conv.bias	float32	256
        neck.lateral_convs.1.conv.weight	float32	256,1024,1,1
        neck.lateral_convs.1.conv.bias	float32	256
        neck.lateral_convs.2.conv.weight	float32	256,2048,1,1
        neck.lateral_convs.2.conv.bias	float32	256
        neck.fpn_convs.0.conv.weight	float32	256,256,3,3
        neck.fpn_convs.0.conv.bias	float32	256
        neck.fpn_convs.1.conv.weight	float32	256,256,3,3
        neck.fpn_convs.1.conv.bias	float32	256
        neck.fpn_convs.2.conv.weight	float32	256,256,3,3
        neck.fpn_convs.2.conv.bias	float32	256
        neck.fpn_convs.3.conv.weight	float32	256,256,3,3
        neck.fpn_convs.3.conv.bias	float32	256
        neck.fpn_convs.4.conv.weight	float32	256,256,3,3
        neck.fpn_convs.4.conv.bias	float32	256
        bbox_head.cls_convs.0.conv.weight	float32	256,256,3,3
        bbox_head.cls_convs.0.conv.bias	float32	256
        bbox_head.cls_convs.0.gn.weight	float32	256
        bbox_head.cls_convs.0.gn.bias	float32	256
        bbox_head.cls_convs.1.conv.weight	float32	256,256,3,3
        bbox_head.cls_convs.1.conv.bias	float32	256
        bbox_head.cls_convs.1.gn.weight	float32	256
        bbox_head.cls_convs.1.gn.bias	float32	256
        bbox_head.cls_convs.2.conv.weight	float32	256,256,3,3
        bbox_head.cls_convs.2.conv.bias	float32	256
        bbox_head.cls_convs.2.gn.weight	float32	256
        bbox_head.cls_convs.2.gn.bias	float32	256
        bbox_head.cls_convs.3.conv.weight	float32	256,256,3,3
        bbox_head.cls_convs.3.conv.bias	float32	256
        bbox_head.cls_convs.3.gn.weight	float32	256
        bbox_head.cls_convs.3.gn.bias	float32	256
        bbox_head.reg_convs.0.conv.weight	float32	256,256,3,3
        bbox_head.reg_convs.0.conv.bias	float32	256
        bbox_head.reg_convs.0.gn.weight	float32	256
        bbox_head.reg_convs.0.gn.bias	float32	256
        bbox_head.reg_convs.1.conv.weight	float32	256,256,3,3
        bbox_head.reg_convs.1.conv.bias	float32	256
        bbox_head.reg_convs.1.gn.weight	float32	256
        bbox_head.reg_convs.1.gn.bias	float32	256
        bbox_head.reg_convs.2.conv.weight	float32	256,256,3,3
        bbox_head.reg_convs.2.conv.bias	float32	256
        bbox_head.reg_convs.2.gn.weight	float32	256
        bbox_head.reg_convs.2.gn.bias	float32	256
        bbox_head.reg_convs.3.conv.weight	float32	256,256,3,3
        bbox_head.reg_convs.3.conv.bias	float32	256
        bbox_head.reg_convs.3.gn.weight	float32	256
        bbox_head.reg_convs.3.gn.bias	float32	256
        bbox_head.conv_cls.weight	float32	80,256,3,3
        bbox_head.conv_cls.bias	float32	80
        bbox_head.conv_reg.weight	float32	4,256,3,3
        bbox_head.conv_reg.bias	float32	4
        bbox_head.conv_centerness.weight	float32	1,256,3,3
        bbox_head.conv_centerness.bias	float32	1
        bbox_head.scales.0.scale	float32
        bbox_head.scales.1.scale	float32
        bbox_head.scales.2.scale	float32
        bbox_head.scales.3.scale	float32
        bbox_head.scales.4.scale	float32
        bbox_head.controller.weight	float32	169,256,3,3
        bbox_head.controller.bias	float32	169
        mask_head.mask_feature_head.convs_all_levels.0.conv0.conv.weight	float32	128,256,3,3
        mask_head.mask_feature_head.convs_all_levels.0.conv0.bn.weight	float32	128
        mask_head.mask_feature_head.convs_all_levels.0.conv0.bn.bias	float32	128
        mask_head.mask_feature_head.convs_all_levels.0.conv0.bn.running_mean	float32	128
        mask_head.mask_feature_head.convs_all_levels.0.conv0.bn.running_var	float32	128
        mask_head.mask_feature_head.convs_all_levels.0.conv0.bn.num_batches_tracked	int64
        mask_head.mask_feature_head.convs_all_levels.1.conv1.conv.weight	float32	128,256,3,3
        mask_head.mask_feature_head.convs_all_levels.1.conv1.bn.weight	float32	128
        mask_head.mask_feature_head.convs_all_levels.1.conv1.bn.bias	float32	128
        mask_head.mask_feature_head.convs_all_levels.1.conv1.bn.running_mean	float32	128
        mask_head.mask_feature_head.convs_all_levels.1.conv1.bn.running_var	float32	128
        mask_head.mask_feature_head.convs_all_levels.1.conv1.bn.num_batches_tracked	int64
        mask_head.mask_feature_head.convs_all_levels.2.conv2.conv.weight	float32	128,256,3,3
        mask_head.mask_feature_head.convs_all_levels.2.conv2.bn.weight	float32	128
        mask_head.mask_feature_head.convs_all_levels.2.conv2.bn.bias	float32	128
        mask_head.mask_feature_head.convs_all_levels.2.conv2.bn.running_mean	float32	128
        mask_head.mask_feature_head.convs_all_levels.2.conv2.bn.running_var	float32	128
        mask_head.mask_feature_head.convs_all_levels.2.conv2.bn.num_batches_tracked	int64
        mask_head.mask_feature_head.conv_branch.0.conv.weight	float32	128,128,3,3
        mask_head.mask_feature_head.conv_branch.0.bn.weight	float32	128
        mask_head.mask_feature_head.conv_branch.0.bn.bias	float32	128
        mask_head.mask_feature_head.conv_branch.0.bn.running_mean	float32	128
        mask_head.mask_feature_head.conv_branch.0.bn.running_var	float32	128
        mask_head.mask_feature_head.conv_branch.0.bn.num_batches_tracked	int64
        mask_head.mask_feature_head.conv_branch.1.conv.weight	float32	128,128,3,3
        mask_head.mask_feature_head.conv_branch.1.bn.weight	float32	128
        mask_head.mask_feature_head.conv_branch.1.bn.bias	float32	128
        mask_head.mask_feature_head.conv_branch.1.bn.running_mean	float32	128
        mask_head.mask_feature_head.conv_branch.1.bn.running_var	float32	128
        mask_head.mask_feature_head.conv_branch.1.bn.num_batches_tracked	int64
        mask_head.mask_feature_head.conv_branch.2.conv.weight	float32	128,128,3,3
        mask_head.mask_feature_head.conv_branch.2.bn.weight	float32	128
        mask_head.mask_feature_head.conv_branch.2.bn.bias	float32	128
        mask_head.mask_feature_head.conv_branch.2.bn.running_mean	float32	128
        mask_head.mask_feature_head.conv_branch.2.bn.running_var	float32	128
        mask_head.mask_feature_head.conv_branch.2.bn.num_batches_tracked	int64
        mask_head.mask_feature_head.conv_branch.3.conv.weight	float32	128,128,3,3
        mask_head.mask_feature_head.conv_branch.3.bn.weight	float32	128
        mask_head.mask_feature_head.conv_branch.3.bn.bias	float32	128
        mask_head.mask_feature_head.conv_branch.3.bn.running_mean	float32	128
        mask_head.mask_feature_head.conv_branch.3.bn.running_var	float32	128
        mask_head.mask_feature_head.conv_branch.3.bn.num_batches_tracked	int64
        mask_head.mask_feature_head.conv_pred.weight	float32	8,128,1,1
        mask_head.mask_feature_head.conv_pred.bias	float32	8
        """;
}
