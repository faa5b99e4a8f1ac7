"""Fresh tasks: networks that no rule or constant of lrscope was ever chosen on, scored once.

The generalisation suite (``suite.py``) is held out one family at a time, but every family's
tasks were looked at while the space of rules was designed. These nine tasks were written
after the shipped ``DEFAULT_POLICY`` was fixed, before any of them was run, and are only
scored (``gen_fresh.py``): no constant is fitted on them. They differ from the suite in
data, architecture, activation, normalisation, loss and optimizer:

| task                        | model                                      | optimizer         | batch | budget | loss            |
|-----------------------------|--------------------------------------------|-------------------|------:|-------:|-----------------|
| fresh-mlp-wine-adam         | MLP 13-64-64-3, dropout 0.2                | Adam              |    16 |    400 | CE              |
| fresh-cnn-digits-bn-adamw   | 2-D CNN, BatchNorm, GELU                   | AdamW (wd 0.01)   |   128 |    500 | CE              |
| fresh-gru-sines-sgdm        | GRU(32), next value of a sum of sines      | SGD momentum 0.9  |    32 |    800 | MSE             |
| fresh-tfm-reverse-adam      | encoder, 2 layers, d=32: reverse 8 tokens  | Adam              |    64 |   1000 | CE per token    |
| fresh-mlp-moons-sgd         | MLP 2-32-32-2, tanh                        | SGD               |    32 |    600 | CE              |
| fresh-mlp-blobs-rmsprop     | MLP 20-128-5, label smoothing 0.1          | RMSprop           |   256 |    400 | CE (smoothed)   |
| fresh-reg-huber-adamax      | MLP 15-64-64-1, 5% outliers in the targets | Adamax            |    64 |    600 | Huber           |
| fresh-cnn1d-mnist1d-nesterov| 1-D CNN, GroupNorm, SiLU                   | SGD Nesterov 0.9  |    32 |    800 | CE              |
| fresh-linear-digits-adagrad | softmax regression (linear)                | Adagrad           |    64 |    300 | CE              |

Quality as in the suite: validation accuracy (per token for the reversal), R^2 for regression.

The first nine turned out easy (the framework default LR scored 0.044 regret there, 0.152 on
the suite), so six harder ones were added (family ``fresh2``), fixed before any lrscope answer
on them was seen:

| task                        | model                                      | optimizer         | batch | budget | loss            |
|-----------------------------|--------------------------------------------|-------------------|------:|-------:|-----------------|
| fresh2-deepmlp-digits-sgd   | MLP 64-128x5-10, no normalisation          | SGD               |    64 |    800 | CE              |
| fresh2-gru-charlm-adamw     | character GRU(96) language model           | AdamW (wd 0.1)    |    32 |   1000 | CE per token    |
| fresh2-convae-digits-adam   | conv autoencoder, strided, 8x8 -> 2x2      | Adam              |    64 |    600 | MSE             |
| fresh2-cnn6-mnist1d-sgdm    | 6-layer plain 1-D CNN, no normalisation    | SGD momentum 0.9  |    64 |    800 | CE              |
| fresh2-lstm-parity-adam     | LSTM(32), parity of 8 bits                 | Adam              |    64 |   1500 | BCE             |
| fresh2-resmlp-cancer-sgdmwd | residual MLP with LayerNorm                | SGD m0.9, wd 5e-4 |    32 |    400 | CE              |

A third batch (family ``fresh3``), fixed before any lrscope answer on it was seen, aims at what
the first two lacked: long budgets (up to 4,000 steps) that the default call does not know, the
smallest and largest batches, and losses and architectures of other shapes:

| task                        | model                                      | optimizer         | batch | budget | loss            |
|-----------------------------|--------------------------------------------|-------------------|------:|-------:|-----------------|
| fresh3-mixer-mnist1d-adamw  | MLP-Mixer, 10 patches, 2 blocks, LayerNorm | AdamW (wd 0.05)   |    64 |   2500 | CE              |
| fresh3-tcn-sines-rmsprop    | dilated causal 1-D CNN (1, 2, 4, 8)        | RMSprop           |    32 |   1500 | MSE             |
| fresh3-mlp-multilabel-adagrad | MLP 40-128-8, 8 labels per sample        | Adagrad           |   512 |    300 | BCE per label   |
| fresh3-mlp-classif-sgd-bs8  | MLP 30-128-128-4, 5% flipped labels        | SGD               |     8 |   4000 | CE              |
| fresh3-twotower-implicit-nesterov | user and item towers, dot product    | SGD Nesterov 0.9  |   256 |   2000 | BCE             |
| fresh3-vae-digits-adam      | VAE 64-128-8-128-64                        | Adam              |    32 |   1500 | MSE + KL        |
| fresh3-postln-mnist1d-adam  | post-LN transformer encoder, 4 layers, d=32 | Adam             |    64 |   1000 | CE              |

A fourth batch (family ``fresh4``), fixed before any lrscope answer on it was seen: shapes that
make the best LR unusual (unscaled inputs, very heavy weight decay, vanishing gradients, BatchNorm
at batch 4, an optimizer whose default LR is 1, a Poisson likelihood, per-token tagging):

| task                        | model                                      | optimizer         | batch | budget | loss            |
|-----------------------------|--------------------------------------------|-------------------|------:|-------:|-----------------|
| fresh4-linear-unscaled-sgd  | linear regression, feature scales 1 to 100 | SGD               |    32 |    500 | MSE             |
| fresh4-mlp-digits-adamw-wd  | MLP 64-256-256-10                          | AdamW (wd 0.5)    |    32 |   1000 | CE              |
| fresh4-tanh-deep-nesterov   | MLP 64-64x8-10, tanh, no normalisation     | SGD Nesterov 0.9  |    64 |   1000 | CE              |
| fresh4-cnn-digits-bn-bs4    | 2-D CNN with BatchNorm                     | SGD momentum 0.9  |     4 |   1500 | CE              |
| fresh4-mlp-digits-adadelta  | MLP 64-128-10                              | Adadelta          |    32 |    600 | CE              |
| fresh4-poisson-rmsprop      | MLP 8-32-1, log-rate of counts             | RMSprop           |    64 |    800 | Poisson NLL     |
| fresh4-bigru-tagger-adam    | bidirectional GRU(32), a tag per token     | Adam              |    32 |    800 | CE per token    |

A fifth batch (family ``fresh5``), fixed before any lrscope answer on it was seen: losses and
training signals of other kinds (noisy labels, L1, soft targets, denoising) and a recurrent
net under plain SGD:

| task                        | model                                      | optimizer         | batch | budget | loss            |
|-----------------------------|--------------------------------------------|-------------------|------:|-------:|-----------------|
| fresh5-gru-mnist1d-sgd      | GRU(48) over 40 steps of MNIST-1D          | SGD               |    32 |   1500 | CE              |
| fresh5-cnn-digits-noisy-adam | 2-D CNN with dropout, 25% of labels wrong | Adam              |    64 |    800 | CE              |
| fresh5-selu-mlp-sgdm        | MLP 20-128x3-1 with SELU, heavy-tailed noise | SGD momentum 0.9 |    64 |   1000 | L1              |
| fresh5-distill-digits-adam  | MLP student of a fixed random teacher      | Adam              |    32 |    600 | KL to soft targets |
| fresh5-dae-mnist1d-rmsprop  | denoising MLP autoencoder 40-128-16-128-40 | RMSprop           |   128 |    600 | MSE             |
| fresh5-resconv-mnist1d-adamw | residual 1-D CNN, no normalisation        | AdamW (wd 0.01)   |   128 |    600 | CE              |

A sixth batch (family ``fresh6``), fixed before any lrscope answer on it was seen: budgets outside
the suite's 300 to 5,000 steps, on common networks:

| task                        | model                                      | optimizer         | batch | budget | loss            |
|-----------------------------|--------------------------------------------|-------------------|------:|-------:|-----------------|
| fresh6-reg-make-adamw-b100  | MLP 20-64-64-1, generated regression       | AdamW (wd 0.01)   |    16 |    100 | MSE             |
| fresh6-mlp-digits-adam-b150 | MLP 64-128-10                              | Adam              |    32 |    150 | CE              |
| fresh6-cnn-digits-sgdm-b200 | 2-D CNN with max-pooling                   | SGD momentum 0.9  |    64 |    200 | CE              |
| fresh6-gru-sines-adam-b250  | GRU(32), next value of a sum of sines      | Adam              |    32 |    250 | MSE             |
| fresh6-rnn-sines-sgd-b1000  | tanh RNN(32), the same                     | SGD               |    32 |   1000 | MSE             |
| fresh6-mlp-mnist1d-adam-b8000 | MLP 40-128-128-10                        | Adam              |    64 |   8000 | CE              |

Its first score found a failure (the 100-step regression: its first batch's loss is a quarter
of the mean, and runs that stayed put "exploded"); the fix that followed makes its later
figures not held out (``results/gen/fresh6_first_score.md`` keeps the first score).

A seventh batch (family ``fresh7``), fixed before any lrscope answer on it was seen: noise and
scale extremes, i.e. batches of 1 to 4, a loss summed over the batch, 64 training samples:

| task                        | model                                      | optimizer         | batch | budget | loss            |
|-----------------------------|--------------------------------------------|-------------------|------:|-------:|-----------------|
| fresh7-mlp-digits-sgd-bs1   | MLP 64-64-10                               | SGD               |     1 |   2000 | CE              |
| fresh7-reg-sum-sgdm         | MLP 20-64-64-1, the sixth batch's data     | SGD momentum 0.9  |    64 |    600 | MSE, summed     |
| fresh7-cnn-digits-dropout-adamw-bs2 | CNN with dropout 0.5 (twice)       | AdamW (wd 0.01)   |     2 |   1500 | CE              |
| fresh7-lstm-sines-rmsprop-bs4 | LSTM(32), next value of a sum of sines   | RMSprop           |     4 |   1000 | MSE             |
| fresh7-mlp-moons64-adam     | MLP 2-64-64-2 on 64 training samples       | Adam              |     8 |   1000 | CE              |
| fresh7-tfm-reverse-sgdm     | encoder, 2 layers, d=32: reverse 8 tokens  | SGD momentum 0.9  |    64 |   1500 | CE per token    |

An eighth batch (family ``fresh8``), fixed before any lrscope answer on it was seen: larger
networks of common shapes (up to about 1.1M parameters; budgets kept short for the CPU):

| task                        | model                                      | optimizer         | batch | budget | loss            |
|-----------------------------|--------------------------------------------|-------------------|------:|-------:|-----------------|
| fresh8-mlp-digits-wide-adamw | MLP 64-1024-1024-10 (1.1M parameters)     | AdamW (wd 0.01)   |   128 |    500 | CE              |
| fresh8-resnet-digits-nesterov | 2-D ResNet, 5 blocks, 32-64 channels, BN | SGD Nesterov, wd 5e-4 |  64 |    300 | CE              |
| fresh8-gpt4-charlm-adamw    | causal transformer, 4 layers, d=64 (pre-LN) | AdamW (wd 0.1)   |    32 |    600 | CE per token    |
| fresh8-gru2-mnist1d-adam    | 2-layer GRU(64) over MNIST-1D              | Adam              |    64 |    600 | CE              |
| fresh8-mlp-bn-blobs-sgdm    | MLP 20-256-256-5 with BatchNorm            | SGD momentum 0.9  |   256 |    500 | CE              |
| fresh8-cnn1d-mnist1d-wide-nadam | 1-D CNN, 64-128-128 channels           | NAdam             |    64 |    800 | CE              |

A ninth batch (family ``fresh9``), fixed before any lrscope answer on it was seen: training setups
the others lacked (one full batch at every step, a pretrained network, parameter groups, a batch of
1,024, a multi-step forecast, AMSGrad over a long budget):

| task                        | model                                      | optimizer         | batch | budget | loss            |
|-----------------------------|--------------------------------------------|-------------------|------:|-------:|-----------------|
| fresh9-gcn-sbm-adam-fullbatch | 2-layer GCN on a 600-node block-model graph | Adam (wd 5e-4) | graph |    300 | CE, labelled nodes |
| fresh9-finetune-digits-adam | MLP pretrained on digits 0-4, new head, digits 5-9 | Adam      |    32 |    300 | CE              |
| fresh9-cnn-digits-adamw-groups | CNN with BatchNorm, two groups (wd 0.05 / 0) | AdamW         |    64 |    600 | CE, smoothing 0.1 |
| fresh9-mlp-mnist1d-sgdm-bs1024 | MLP 40-256-256-10                       | SGD momentum 0.9  |  1024 |    400 | CE              |
| fresh9-cnn1d-forecast-radam | 1-D CNN, 32 past values -> next 4          | RAdam             |    32 |   1000 | MSE             |
| fresh9-mlp-classif7-amsgrad | MLP 54-256-256-7, generated 7-class data   | Adam (amsgrad)    |   128 |   3000 | CE              |

A tenth batch (family ``fresh10``), fixed before any lrscope answer on it was seen (after the
ninth batch's change): losses and networks of other kinds (a likelihood that goes below zero, a
quantile loss, an encoder-decoder, separable convolutions, a rare positive class, 16 residual
blocks):

| task                        | model                                      | optimizer         | batch | budget | loss            |
|-----------------------------|--------------------------------------------|-------------------|------:|-------:|-----------------|
| fresh10-gaussnll-mlp-adam   | MLP 10-64-64-2: mean and log-variance      | Adam              |    64 |    800 | Gaussian NLL    |
| fresh10-quantile-mlp-sgdm   | MLP 8-64-64-1, skewed noise                | SGD momentum 0.9  |    32 |    600 | pinball, q = 0.9 |
| fresh10-seq2seq-sort-adam   | GRU encoder-decoder sorting 6 digits       | Adam              |    64 |   1500 | CE per token    |
| fresh10-dwsep-digits-nesterov | depthwise-separable CNN with BatchNorm   | SGD Nesterov, wd 5e-4 | 32 |  600 | CE              |
| fresh10-imbalanced-bce-adam | MLP 20-64-64-1, 5% positives               | Adam              |   128 |    500 | BCE, pos_weight 19 |
| fresh10-deep-resmlp-adamw   | 16 pre-LN residual MLP blocks, width 64    | AdamW (wd 0.05)   |    64 |   1000 | CE              |

An eleventh batch (family ``fresh11``), fixed before any lrscope answer on it was seen:

| task                        | model                                      | optimizer         | batch | budget | loss            |
|-----------------------------|--------------------------------------------|-------------------|------:|-------:|-----------------|
| fresh11-tfm-cls-adamw-b98   | pre-LN encoder with a CLS token, 3 layers, d=32, dropout 0.1 | AdamW (0.9, 0.98), eps 1e-9 | 64 | 600 | CE |
| fresh11-multitask-digits-adam | MLP with a class head and an intensity head | Adam            |    32 |    600 | CE + 10 MSE     |
| fresh11-mlp-blobs-sgdm099   | MLP 20-128-128-5                           | SGD momentum 0.99 |    32 |    800 | CE              |
| fresh11-cnn-digits-sgd-wd5e3-bs16 | CNN with max-pooling                 | SGD, wd 5e-3      |    16 |   1500 | CE              |
| fresh11-widedeep-ratings-adam | wide (biases) and deep (embeddings + MLP) | Adam             |   256 |   1500 | MSE             |
| fresh11-mlp-mnist1d-adam-eps1e-3-bs16 | MLP 40-256-10                    | Adam, eps 1e-3    |    16 |   1500 | CE              |

A twelfth batch (family ``fresh12``), fixed before any lrscope answer on it was seen: common modern
shapes the others lacked (ConvNeXt blocks with layer scale, a contrastive embedding, a U-Net with a
skip connection, an LSTM over tokens, BatchNorm with dropout on tabular data, a long budget):

| task                        | model                                      | optimizer         | batch | budget | loss            |
|-----------------------------|--------------------------------------------|-------------------|------:|-------:|-----------------|
| fresh12-convnext-digits-adamw | patchify stem, 2 ConvNeXt blocks (layer scale 1e-6), d=32 | AdamW (wd 0.05) | 64 | 800 | CE |
| fresh12-supcon-mnist1d-adam | MLP 40-256-128-32, normalised embedding    | Adam              |   128 |    600 | supervised contrastive, tau 0.1 |
| fresh12-unet-denoise-adam   | U-Net, one level, skip connection: noisy digits -> clean | Adam |    32 |    600 | MSE             |
| fresh12-lstm-count-adam     | embedding + LSTM(48): more 1s than 2s in 30 tokens? | Adam     |    64 |   1200 | CE              |
| fresh12-tabular-bn-dropout-adamw | MLP 30-256-256-8, BatchNorm, dropout 0.3 | AdamW (wd 0.01)  |   256 |    600 | CE              |
| fresh12-cnn1d-mnist1d-adamw-b3000 | 1-D CNN 32-64, max-pooling, mean pooling | AdamW (wd 0.01) |    32 |   3000 | CE              |

Quality of the contrastive task: the leave-one-out nearest-neighbour (cosine) accuracy of the
validation embeddings.

A thirteenth batch (family ``fresh13``), fixed before any lrscope answer on it was seen, after the
twelfth batch's fix for sweeps that never diverge: losses that cannot diverge, being bounded on
normalised outputs, and one bounded by a sigmoid:

| task                        | model                                      | optimizer         | batch | budget | loss            |
|-----------------------------|--------------------------------------------|-------------------|------:|-------:|-----------------|
| fresh13-simclr-digits-adam  | MLP 64-256-128-32 on two noisy, shifted views | Adam           |   128 |    600 | NT-Xent, tau 0.2 (labels unused) |
| fresh13-cosine-directions-sgdm | MLP 16-128-128-8, unit output           | SGD momentum 0.9  |    64 |    800 | 1 - cosine      |
| fresh13-cosface-mnist1d-adamw | MLP 40-256-128, normalised features and class weights | AdamW (wd 0.01) | 64 | 800 | CosFace (s 16, m 0.2) |
| fresh13-triplet-mnist1d-sgdm | MLP 40-128-32, normalised embedding       | SGD momentum 0.9  |   128 |    600 | batch-hard triplet, margin 0.2 |
| fresh13-sigmoid-ae-digits-sgd | MLP autoencoder 64-128-16-128-64, sigmoid output | SGD      |    32 |   1000 | MSE             |

Quality: nearest-neighbour accuracy of the (first view's) validation embeddings, accuracy, the
mean cosine to the validation directions, R^2 of the reconstruction.

A fourteenth batch (family ``fresh14``), fixed before any lrscope answer on it was seen: shapes a
user's first network often has that the others lacked (raw, unscaled regression targets under
Adam, a plain tanh RNN, a bag-of-embeddings text model under Adagrad, a BatchNorm ResNet under
Adam at batch 16, plain SGD at batch 512, an over-confident initialisation):

| task                        | model                                      | optimizer         | batch | budget | loss            |
|-----------------------------|--------------------------------------------|-------------------|------:|-------:|-----------------|
| fresh14-reg-rawtarget-adam  | MLP 10-64-64-1, targets not scaled (mean about 300, sd about 120) | Adam | 32 | 800 | MSE |
| fresh14-rnn-sines-adam-bs16 | tanh RNN(64), last step                    | Adam              |    16 |   1000 | MSE             |
| fresh14-embbag-topics-adagrad | EmbeddingBag(2000, 64, mean) -> 8 topics | Adagrad           |    64 |    600 | CE              |
| fresh14-resnet-digits-adam-bs16 | ResNet (5 blocks, BatchNorm)           | Adam              |    16 |    600 | CE              |
| fresh14-mlp-mnist1d-sgd-bs512 | MLP 40-256-256-10                        | SGD               |   512 |    500 | CE              |
| fresh14-mlp-digits-hotinit-sgdm | MLP 64-256-10, last layer's weights x10 at init | SGD momentum 0.9 | 64 | 800 | CE    |

A fifteenth batch (family ``fresh15``), fixed before any lrscope answer on it was seen, aimed at
the regime of the fourteenth batch's miss (plain SGD at batch 512 for 500 steps, whose best LR
lies next to divergence): large batches and budgets short for them, across optimizers:

| task                        | model                                      | optimizer         | batch | budget | loss            |
|-----------------------------|--------------------------------------------|-------------------|------:|-------:|-----------------|
| fresh15-cnn1d-mnist1d-sgd-bs256 | 1-D CNN 32-64, max-pooling, mean pooling | SGD              |   256 |    300 | CE              |
| fresh15-mlp-mnist1d-adam-bs1024 | MLP 40-256-256-10                      | Adam              |  1024 |    300 | CE              |
| fresh15-lstm-sines-sgdm-bs256 | LSTM(32), last step                      | SGD momentum 0.9  |   256 |    400 | MSE             |
| fresh15-linear-classif-sgd-bs2048 | softmax regression, 50 features, 10 classes | SGD          |  2048 |    200 | CE              |
| fresh15-tfm-cls-adamw-bs256 | pre-LN encoder, CLS token, d=32, 3 layers  | AdamW (wd 0.01)   |   256 |    300 | CE              |
| fresh15-mlp-blobs-nesterov-bs512 | MLP 20-128-128-5                      | SGD Nesterov 0.9  |   512 |    250 | CE              |

A sixteenth batch (family ``fresh16``), fixed before any lrscope answer on it was seen: ordinary
networks in the issue's ranges (batch 32 to 512, budgets 700 to 2,000 steps), each an
architecture and optimizer pairing that neither the suite nor an earlier batch has:

| task                        | model                                      | optimizer         | batch | budget | loss            |
|-----------------------------|--------------------------------------------|-------------------|------:|-------:|-----------------|
| fresh16-cnn-digits-nadam-bs32 | CNN with BatchNorm, ReLU                 | NAdam             |    32 |    700 | CE              |
| fresh16-lstm-mnist1d-rmsprop-bs64 | LSTM(48) over 40 steps of MNIST-1D   | RMSprop           |    64 |   1200 | CE              |
| fresh16-ae-digits-nesterov-bs64 | MLP autoencoder 64-128-32-128-64       | SGD Nesterov 0.9  |    64 |   1000 | MSE             |
| fresh16-mlp-classif-adamw-bs512 | MLP 50-256-256-10                      | AdamW (wd 0.01)   |   512 |   1500 | CE              |
| fresh16-mf-ratings-sgdm-bs128 | matrix factorisation with biases, rank 16 | SGD momentum 0.9 |   128 |   2000 | MSE             |
| fresh16-seq2seq-sorting-radam-bs32 | GRU encoder-decoder, sorting 6 tokens | RAdam            |    32 |   1500 | CE per token    |

A seventeenth batch (family ``fresh17``), fixed before any lrscope answer on it was seen: the
shapes of issue 9's own failure list redrawn on other data (an MSE autoencoder under Nesterov,
a small recurrent classifier under RMSprop, matrix factorisation under Adagrad, a small AdamW
transformer, a momentum-SGD regression MLP, a wide MLP under plain SGD at batch 8):

| task                        | model                                      | optimizer         | batch | budget | loss            |
|-----------------------------|--------------------------------------------|-------------------|------:|-------:|-----------------|
| fresh17-convae1d-mnist1d-nesterov | 1-D conv autoencoder 1-16-8-16-1, strided | SGD Nesterov 0.9 |  32 |   1000 | MSE             |
| fresh17-gru-digitrows-rmsprop | GRU(32) over the 8 rows of a digit        | RMSprop           |    32 |   1000 | CE              |
| fresh17-mf-ratings-adagrad  | matrix factorisation with biases, rank 16  | Adagrad           |    64 |   2000 | MSE             |
| fresh17-tfm-reverse-adamw   | post-LN encoder, d=32, 2 layers, per token | AdamW (wd 0.1)    |    32 |   1500 | CE per token    |
| fresh17-mlp-outliers-sgdm   | MLP 15-128-128-1, 5% gross outliers        | SGD momentum 0.9  |    32 |   1500 | MSE             |
| fresh17-widemlp-classif-sgd-bs8 | MLP 50-512-10                          | SGD               |     8 |   3000 | CE              |

An eighteenth batch (family ``fresh18``), fixed before any lrscope answer on it was seen: the
networks a practitioner writes first (a pooled CNN, a small vision transformer, a text CNN and a
text GRU, a BatchNorm MLP on a small table, a residual regression MLP, a dropout MLP with a
weight-decayed Nesterov recipe), at budgets from 300 to 2,500 steps:

| task                        | model                                      | optimizer         | batch | budget | loss            |
|-----------------------------|--------------------------------------------|-------------------|------:|-------:|-----------------|
| fresh18-cnn-digits-adam-bs64 | CNN 16-32, max-pooling twice, FC 64        | Adam              |    64 |    800 | CE              |
| fresh18-vit-digits-adamw-bs64 | ViT: 2x2 patches, CLS, d=48, 2 pre-LN layers | AdamW (wd 0.05) |    64 |   1500 | CE              |
| fresh18-textcnn-topics-adam-bs32 | Embedding(2000, 48), Conv1d 64, max over time | Adam         |    32 |    800 | CE              |
| fresh18-gru-topics-adam-bs64 | Embedding(2000, 32), GRU(64), last step    | Adam              |    64 |   1200 | CE              |
| fresh18-mlp-cancer-bn-sgdm-bs16 | MLP 30-64-64-2, BatchNorm              | SGD momentum 0.9  |    16 |    300 | CE              |
| fresh18-resmlp-reg-adamw-bs64 | residual MLP, LayerNorm, 100 features    | AdamW (wd 0.01)   |    64 |   1000 | MSE             |
| fresh18-mlp-mnist1d-nesterov-wd-bs128 | MLP 40-512-512-10, dropout 0.2   | SGD Nesterov 0.9, wd 5e-4 | 128 | 2500 | CE          |

A nineteenth batch (family ``fresh19``), fixed before any lrscope answer on it was seen: more
first networks, with the eighteenth batch's miss (a recurrent text classifier under Adam whose
best-looking LR collapses after a few epochs) asked again of an LSTM and a transformer, a
small-data regression and a tiny table, and optimizers in pairings not seen before:

| task                        | model                                      | optimizer         | batch | budget | loss            |
|-----------------------------|--------------------------------------------|-------------------|------:|-------:|-----------------|
| fresh19-lstm-topics-adamw-bs32 | Embedding(2000, 32), LSTM(64), last step | AdamW (wd 0.01)  |    32 |   1000 | CE              |
| fresh19-tfm-topics-adam-bs64 | Embedding(2000, 32), 2 pre-LN layers, mean pool | Adam        |    64 |    800 | CE              |
| fresh19-cnn-digits-rmsprop-bs32 | CNN 16-32, max-pooling twice, FC 64     | RMSprop           |    32 |    600 | CE              |
| fresh19-reg-diabetes-adam-bs32 | MLP 10-64-64-1 on 331 patients           | Adam              |    32 |    600 | MSE             |
| fresh19-mlp-wine-sgd-bs8    | MLP 13-32-3 on 133 wines                   | SGD               |     8 |    500 | CE              |
| fresh19-resconv1d-mnist1d-sgdm-bn | residual 1-D CNN with BatchNorm, width 32 | SGD momentum 0.9, wd 5e-4 | 64 | 1500 | CE       |

A twentieth batch (family ``fresh20``), fixed before any lrscope answer on it was seen: plain
first networks with optimizers in pairings not seen before on them (Adagrad on an MLP, a
BatchNorm CNN under SGD with momentum, a GRU under AdamW, NAdam on a regression, RAdam on a
small batch), a small table under Adam and a bottleneck autoencoder:

| task                        | model                                      | optimizer         | batch | budget | loss            |
|-----------------------------|--------------------------------------------|-------------------|------:|-------:|-----------------|
| fresh20-mlp-digits-adagrad-bs64 | MLP 64-128-10                          | Adagrad           |    64 |    800 | CE              |
| fresh20-cnn-digits-bn-sgdm-bs128 | CNN 16-32, BatchNorm, GELU            | SGD momentum 0.9, wd 5e-4 | 128 | 1000 | CE          |
| fresh20-gru-mnist1d-adamw-bs128 | GRU(64) over the 40 samples, last step  | AdamW (wd 0.01)   |   128 |   1500 | CE              |
| fresh20-reg-nadam-bs32      | MLP 20-256-256-1 on a regression with an interaction | NAdam   |    32 |   1200 | MSE             |
| fresh20-mlp-cancer-adam-bs32 | MLP 30-128-128-2 on 426 patients          | Adam              |    32 |    400 | CE              |
| fresh20-ae-mnist1d-adamw-bs64 | MLP autoencoder 40-64-8-64-40             | AdamW (wd 1e-4)   |    64 |   1500 | MSE             |
| fresh20-mlp-moons-radam-bs16 | MLP 2-64-64-2 on noisy moons              | RAdam             |    16 |    600 | CE              |

A twenty-first batch (family ``fresh21``), fixed before any lrscope answer on it was seen:
modern and plain building blocks (LayerNorm and GELU, a deeper text transformer, a bag of
embeddings, a logistic regression), Adagrad on a CNN, and a second small-data regression under
RMSprop (the nineteenth batch's miss asked again):

| task                        | model                                      | optimizer         | batch | budget | loss            |
|-----------------------------|--------------------------------------------|-------------------|------:|-------:|-----------------|
| fresh21-mlp-ln-gelu-adamw-bs256 | MLP 50-256-256-10, LayerNorm, GELU     | AdamW (wd 0.05)   |   256 |   2000 | CE              |
| fresh21-linear-digits-sgdm-bs32 | softmax regression on 64 pixels        | SGD momentum 0.9  |    32 |    500 | CE              |
| fresh21-cnn1d-mnist1d-adagrad-bs64 | 1-D CNN 32-64, max-pooling, mean pooling | Adagrad      |    64 |   1000 | CE              |
| fresh21-bag-topics-sgdm-bs128 | EmbeddingBag(2000, 64), linear head      | SGD momentum 0.9  |   128 |    600 | CE              |
| fresh21-ae-digits-rmsprop-bs64 | MLP autoencoder 64-32-64 on the pixels   | RMSprop           |    64 |    800 | MSE             |
| fresh21-tfm4-topics-adamw-bs32 | Embedding(2000, 32), 4 pre-LN layers, mean pool | AdamW (wd 0.1) | 32 | 1000 | CE            |
| fresh21-reg-diabetes-rmsprop-bs16 | MLP 10-128-1 on 331 patients         | RMSprop           |    16 |    800 | MSE             |
A twenty-second batch (family ``fresh22``), fixed before any lrscope answer on it was seen:
common networks with optimizers in pairings not seen before on them (a conv autoencoder under
RMSprop, a GRU under Adagrad, a transformer under SGD with momentum, matrix factorisation under
AdamW), a CNN on a short large-batch budget, a tiny table at batch 8 under Nesterov, and a
long-budget SiLU regression:

| task                        | model                                      | optimizer         | batch | budget | loss            |
|-----------------------------|--------------------------------------------|-------------------|------:|-------:|-----------------|
| fresh22-convae-digits-rmsprop-bs32 | conv autoencoder, strided, 8x8 -> 2x2 | RMSprop          |    32 |    700 | MSE             |
| fresh22-cnn-digits-adamw-bs256 | CNN 16-32, max-pooling twice, FC 64     | AdamW (wd 0.05)   |   256 |    350 | CE              |
| fresh22-gru-sines-adagrad-bs32 | GRU(32), next value of a sum of sines    | Adagrad           |    32 |   1000 | MSE             |
| fresh22-mlp-wine-nesterov-bs8 | MLP 13-64-3 on 133 wines                  | SGD Nesterov 0.9  |     8 |    700 | CE              |
| fresh22-tfm-mnist1d-sgdm-bs64 | pre-LN encoder, CLS token, 3 layers, d=32 | SGD momentum 0.9  |    64 |   1200 | CE              |
| fresh22-mf-ratings-adamw-bs256 | matrix factorisation, rank 16 + biases   | AdamW (wd 0.01)   |   256 |   1500 | MSE             |
| fresh22-mlp-friedman-silu-adam-bs128 | MLP 10-128-128-1, SiLU (Friedman #1) | Adam            |   128 |   2500 | MSE             |
A twenty-third batch (family ``fresh23``), fixed before any lrscope answer on it was seen: a
logistic regression with one logit, BatchNorm at batch 8, a deep LayerNorm MLP, Adagrad at
batch 512 on a short budget, a tanh RNN under RMSprop, a Huber regression under AdamW, and a
vision transformer under SGD with momentum:

| task                        | model                                      | optimizer         | batch | budget | loss            |
|-----------------------------|--------------------------------------------|-------------------|------:|-------:|-----------------|
| fresh23-logreg-cancer-sgd-bs32 | logistic regression, one logit          | SGD               |    32 |    400 | BCE             |
| fresh23-resconv1d-bn-adam-bs8 | residual 1-D CNN with BatchNorm, width 32 | Adam             |     8 |   1500 | CE              |
| fresh23-deepln-mlp-digits-adam | MLP 64-128x6-10, LayerNorm before each ReLU | Adam          |    64 |    600 | CE              |
| fresh23-mlp-classif-adagrad-bs512 | MLP 50-256-10                        | Adagrad           |   512 |    300 | CE              |
| fresh23-rnn-sines-rmsprop-bs64 | RNN(32), tanh, next value of a sum of sines | RMSprop      |    64 |    800 | MSE             |
| fresh23-huber-friedman-adamw-bs32 | MLP 10-64-64-1 (Friedman #1)         | AdamW (wd 0.01)   |    32 |   1000 | Huber           |
| fresh23-vit-digits-sgdm-bs128 | ViT, 2x2 patches, CLS token, pre-LN       | SGD momentum 0.9  |   128 |   1000 | CE              |
"""

from __future__ import annotations

import functools
import math

import numpy as np
import torch
from torch import nn

from suite import _MF, _CharRNN, _friedman, _plain, _Residual2d, _text_tokens, _val_windows, bce_accuracy, recon_r2
from tasks import (VOCAB, BatchLoader, BenchTask, CharGPT, WindowLoader, _cancer, _diabetes, _digits, _lm_loss, _mlp,
                   _mnist1d, _r2, _seeded, _split, accuracy)

__all__ = ["FRESH"]


def _standard(xtr: np.ndarray, xva: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    mean, std = xtr.mean(0), xtr.std(0) + 1e-8
    return torch.tensor((xtr - mean) / std, dtype=torch.float32), torch.tensor((xva - mean) / std, dtype=torch.float32)


def _classes(val_fraction: float = 0.25, float_labels: bool = False, **kwargs):
    """scikit-learn's ``make_classification(**kwargs)``, split and standardised on its training
    part: ``(x, y, x_val, y_val)``, the labels as float32 when ``float_labels`` (for BCE)."""
    from sklearn.datasets import make_classification

    x, y = make_classification(**kwargs)
    xtr, ytr, xva, yva = _split(x.astype(np.float32), y.astype(np.float32) if float_labels else y, val_fraction)
    a, b = _standard(xtr, xva)
    return a, torch.tensor(ytr), b, torch.tensor(yva)


@functools.lru_cache(maxsize=1)
def _wine():
    from sklearn.datasets import load_wine

    d = load_wine()
    xtr, ytr, xva, yva = _split(d.data.astype(np.float32), d.target, 0.25)
    a, b = _standard(xtr, xva)
    return a, torch.tensor(ytr), b, torch.tensor(yva)


@functools.lru_cache(maxsize=1)
def _moons():
    from sklearn.datasets import make_moons

    x, y = make_moons(3000, noise=0.25, random_state=7)
    xtr, ytr, xva, yva = _split(x.astype(np.float32), y, 1 / 3)
    a, b = _standard(xtr, xva)
    return a, torch.tensor(ytr), b, torch.tensor(yva)


@functools.lru_cache(maxsize=1)
def _blobs():
    return _classes(1 / 3, n_samples=6000, n_features=20, n_informative=10, n_redundant=4, n_classes=5,
                    n_clusters_per_class=2, class_sep=1.0, flip_y=0.03, random_state=11)


@functools.lru_cache(maxsize=1)
def _huber_data():
    from sklearn.datasets import make_regression

    x, y = make_regression(3000, n_features=15, n_informative=10, noise=10.0, random_state=5)
    y = np.tanh(y / 150.0) * 150.0 + 0.3 * x[:, 0] * x[:, 1] * 20.0       # a mild nonlinearity
    rng = np.random.default_rng(5)
    out = rng.random(len(y)) < 0.05
    y = y + out * rng.normal(0, 600.0, len(y))                               # 5% gross outliers
    xtr, ytr, xva, yva = _split(x.astype(np.float32), y.astype(np.float32), 1 / 3)
    a, b = _standard(xtr, xva)
    m, s = ytr.mean(), ytr.std()
    return a, torch.tensor((ytr - m) / s)[:, None], b, torch.tensor((yva - m) / s)[:, None]


@functools.lru_cache(maxsize=1)
def _sines(n: int = 4000, length: int = 20):
    rng = np.random.default_rng(3)
    t = np.arange(length + 1, dtype=np.float32)
    freq = rng.uniform(0.1, 0.6, (n, 2))
    phase = rng.uniform(0, 2 * np.pi, (n, 2))
    amp = rng.uniform(0.5, 1.5, (n, 2))
    s = (amp[:, :1] * np.sin(freq[:, :1] * t + phase[:, :1]) + amp[:, 1:] * np.sin(freq[:, 1:] * t + phase[:, 1:]))
    s = (s + rng.normal(0, 0.05, s.shape)).astype(np.float32)
    x, y = s[:, :length, None], s[:, length:]
    xtr, ytr, xva, yva = _split(x, y, 0.25)
    return torch.tensor(xtr), torch.tensor(ytr), torch.tensor(xva), torch.tensor(yva)


@functools.lru_cache(maxsize=1)
def _reverse(n: int = 6000, length: int = 8, vocab: int = 10):
    g = torch.Generator().manual_seed(9)
    x = torch.randint(0, vocab, (n, length), generator=g)
    y = x.flip(1)
    cut = n * 3 // 4
    return x[:cut], y[:cut], x[cut:], y[cut:]


class _Encoder(nn.Module):
    """A post-LayerNorm transformer encoder (torch's default, as in the original Transformer) over
    tokens or patches: `embed`, a learnt position code, `layers` layers, a linear head per token
    or, with ``pool``, on the tokens' mean."""

    def __init__(self, embed: nn.Module, tokens: int, d: int, heads: int, layers: int, out: int, pool: bool = False,
                 prepare=None):
        super().__init__()
        self.embed, self.prepare, self.pool = embed, prepare, pool
        self.pos = nn.Parameter(torch.randn(1, tokens, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, heads, 64, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(d, out)

    def forward(self, x):
        h = self.encoder(self.embed(x if self.prepare is None else self.prepare(x)) + self.pos)
        return self.head(h.mean(1) if self.pool else h)


def _reverser(vocab: int = 10, length: int = 8, d: int = 32) -> nn.Module:
    return _Encoder(nn.Embedding(vocab, d), length, d, heads=2, layers=2, out=vocab)


def _token_ce(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


def _token_accuracy(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    return float((outputs.argmax(-1) == targets).float().mean())


def _cnn_bn(act: type[nn.Module] = nn.GELU) -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), act(),
                         nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.BatchNorm2d(32), act(),
                         nn.Flatten(), nn.Linear(32 * 16, 10))


def _cnn1d_gn() -> nn.Module:
    return nn.Sequential(nn.Unflatten(1, (1, 40)),
                         nn.Conv1d(1, 24, 5, padding=2), nn.GroupNorm(4, 24), nn.SiLU(),
                         nn.Conv1d(24, 24, 5, stride=2, padding=2), nn.GroupNorm(4, 24), nn.SiLU(),
                         nn.Conv1d(24, 24, 3, stride=2, padding=1), nn.GroupNorm(4, 24), nn.SiLU(),
                         nn.Flatten(), nn.Linear(24 * 10, 10))


@functools.lru_cache(maxsize=1)
def _parity(n: int = 8000, bits: int = 8):
    g = torch.Generator().manual_seed(13)
    x = torch.randint(0, 2, (n, bits), generator=g).float()
    y = (x.sum(1) % 2)[:, None]
    cut = n * 3 // 4
    return x[:cut, :, None], y[:cut], x[cut:, :, None], y[cut:]


def _digits_images():
    x, _, xv, _ = _digits()
    return x, x, xv, xv


class _LastStep(nn.Module):
    """A recurrent net's last output through a linear head."""

    def __init__(self, rnn: nn.Module, hidden: int, out: int):
        super().__init__()
        self.rnn, self.head = rnn, nn.Linear(hidden, out)

    def forward(self, x):
        return self.head(self.rnn(x)[0][:, -1])


class _ResMLP(nn.Module):
    def __init__(self, d_in: int = 30, width: int = 64, blocks: int = 3, out: int = 2):
        super().__init__()
        self.inp = nn.Linear(d_in, width)
        self.blocks = nn.ModuleList(nn.Sequential(nn.LayerNorm(width), nn.Linear(width, width), nn.ReLU(),
                                                  nn.Linear(width, width)) for _ in range(blocks))
        self.out = nn.Sequential(nn.LayerNorm(width), nn.Linear(width, out))

    def forward(self, x):
        h = self.inp(x)
        for block in self.blocks:
            h = h + block(h)
        return self.out(h)


def _conv_ae() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),
                         nn.Conv2d(16, 8, 3, stride=2, padding=1), nn.ReLU(),
                         nn.ConvTranspose2d(8, 16, 4, stride=2, padding=1), nn.ReLU(),
                         nn.ConvTranspose2d(16, 1, 4, stride=2, padding=1))


def _cnn6() -> nn.Module:
    layers: list[nn.Module] = [nn.Unflatten(1, (1, 40))]
    chans = [1, 16, 16, 32, 32, 32, 32]
    for i, (a, b) in enumerate(zip(chans[:-1], chans[1:])):
        layers += [nn.Conv1d(a, b, 3, stride=2 if i in (1, 3) else 1, padding=1), nn.ReLU()]
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(32 * 10, 10))


def _charlm(make_model, weight_decay: float = 0.1):
    """A character language model over the standard library's text (windows of 32 tokens,
    batches of 32), ``make_model()`` built after seeding, trained with AdamW."""

    def build(seed, smoke):
        train_tokens, val_tokens = _text_tokens()
        xv, yv = _val_windows(val_tokens, 32, 128)
        _seeded(seed)
        model = make_model()
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=weight_decay)
        return model, opt, _lm_loss, WindowLoader(train_tokens, 32, 32, batches=100, seed=seed), (xv, yv), accuracy

    return build


_b_gru_charlm = _charlm(lambda: _CharRNN(len(VOCAB), hidden=96, cell=nn.GRU))


def _mnist1d_data():
    return _mnist1d(4000)


@functools.lru_cache(maxsize=1)
def _multilabel():
    from sklearn.datasets import make_multilabel_classification

    x, y = make_multilabel_classification(n_samples=6000, n_features=40, n_classes=8, n_labels=2, random_state=5)
    xtr, ytr, xva, yva = _split(x.astype(np.float32), y.astype(np.float32), 0.25)
    a, b = _standard(xtr, xva)
    return a, torch.tensor(ytr), b, torch.tensor(yva)


@functools.lru_cache(maxsize=1)
def _classif():
    return _classes(n_samples=4000, n_features=30, n_informative=12, n_redundant=6, n_classes=4,
                    n_clusters_per_class=2, flip_y=0.05, random_state=6)


def _implicit_data():
    from suite import _implicit

    return _implicit()


def _patches(x: torch.Tensor, size: int = 4) -> torch.Tensor:
    """(batch, 40) -> (batch, 40 / size, size): MNIST-1D as a sequence of patches."""
    return x.reshape(x.shape[0], -1, size)


class _Mixer(nn.Module):
    """An MLP-Mixer over the 10 patches of an MNIST-1D signal."""

    def __init__(self, tokens: int = 10, patch: int = 4, d: int = 32, blocks: int = 2, classes: int = 10):
        super().__init__()
        self.embed = nn.Linear(patch, d)
        self.blocks = nn.ModuleList()
        for _ in range(blocks):
            self.blocks.append(nn.ModuleDict({
                "n1": nn.LayerNorm(d), "tok": nn.Sequential(nn.Linear(tokens, 32), nn.GELU(), nn.Linear(32, tokens)),
                "n2": nn.LayerNorm(d), "ch": nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))}))
        self.norm, self.head = nn.LayerNorm(d), nn.Linear(d, classes)

    def forward(self, x):
        h = self.embed(_patches(x))
        for b in self.blocks:
            h = h + b["tok"](b["n1"](h).transpose(1, 2)).transpose(1, 2)
            h = h + b["ch"](b["n2"](h))
        return self.head(self.norm(h).mean(1))


class _TCN(nn.Module):
    """Dilated causal 1-D convolutions with residual connections; predicts from the last step."""

    def __init__(self, width: int = 32, dilations: tuple[int, ...] = (1, 2, 4, 8)):
        super().__init__()
        self.inp = nn.Conv1d(1, width, 1)
        self.convs = nn.ModuleList(nn.Conv1d(width, width, 2, dilation=d) for d in dilations)
        self.head = nn.Linear(width, 1)

    def forward(self, x):
        h = self.inp(x.transpose(1, 2))
        for conv in self.convs:
            h = h + torch.relu(conv(nn.functional.pad(h, (conv.dilation[0], 0))))
        return self.head(h[:, :, -1])


class _TwoTower(nn.Module):
    """User and item embeddings, each through a small MLP tower; the logit is their dot product."""

    def __init__(self, users: int, items: int, dim: int = 16):
        super().__init__()
        self.u, self.i = nn.Embedding(users, dim), nn.Embedding(items, dim)
        self.tu = nn.Sequential(nn.Linear(dim, 32), nn.ReLU(), nn.Linear(32, dim))
        self.ti = nn.Sequential(nn.Linear(dim, 32), nn.ReLU(), nn.Linear(32, dim))

    def forward(self, ui):
        return (self.tu(self.u(ui[:, 0])) * self.ti(self.i(ui[:, 1]))).sum(1)


def _b_twotower(seed, smoke):
    x, y, xv, yv, users, items = _implicit_data()
    _seeded(seed)
    model = _TwoTower(users, items)
    opt = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9, nesterov=True)
    return model, opt, nn.BCEWithLogitsLoss(), BatchLoader(x, y, 256, seed), (xv, yv), bce_accuracy


class _VAE(nn.Module):
    """A Gaussian VAE; returns (reconstruction, mean, log-variance). The mean is decoded in eval mode."""

    def __init__(self, d: int = 64, hidden: int = 128, latent: int = 8):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(d, hidden), nn.ReLU(), nn.Linear(hidden, 2 * latent))
        self.dec = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, d))

    def forward(self, x):
        mu, logvar = self.enc(x).chunk(2, dim=1)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar) if self.training else mu
        return self.dec(z), mu, logvar


def _elbo(out, target):
    """Negative ELBO per sample: squared error summed over pixels plus the KL to N(0, I)."""
    recon, mu, logvar = out
    kl = -0.5 * (1 + logvar - mu ** 2 - logvar.exp()).sum(1)
    return ((recon - target) ** 2).sum(1).mean() + kl.mean()


def _vae_r2(out, target):
    return recon_r2(out[0], target)


def _digits_flat():
    x, _, xv, _ = _digits()
    x, xv = x.flatten(1), xv.flatten(1)
    return x, x, xv, xv


def _post_ln(d: int = 32, layers: int = 4, classes: int = 10) -> nn.Module:
    """A 4-layer post-LayerNorm encoder over the 10 patches of an MNIST-1D signal, mean-pooled."""
    return _Encoder(nn.Linear(4, d), 10, d, heads=4, layers=layers, out=classes, pool=True, prepare=_patches)


@functools.lru_cache(maxsize=1)
def _unscaled(n: int = 4000, d: int = 10):
    g = torch.Generator().manual_seed(21)
    scale = torch.logspace(0, 2, d)
    x = torch.randn(n, d, generator=g) * scale
    y = (x / scale) @ torch.randn(d, 1, generator=g) + 0.3 * torch.randn(n, 1, generator=g)
    cut = n * 3 // 4
    return x[:cut], y[:cut], x[cut:], y[cut:]


@functools.lru_cache(maxsize=1)
def _poisson(n: int = 6000, d: int = 8):
    g = torch.Generator().manual_seed(22)
    x = torch.randn(n, d, generator=g)
    rate = torch.exp(0.5 * torch.tanh(x @ torch.randn(d, 1, generator=g) * 0.7) * 2 + 1.0)
    y = torch.poisson(rate, generator=g)
    cut = n * 3 // 4
    return x[:cut], y[:cut], x[cut:], y[cut:]


def _rate_r2(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    """R^2 of the predicted rate exp(log-rate) against the counts."""
    return _r2(outputs.exp(), targets)


@functools.lru_cache(maxsize=1)
def _tags(n: int = 6000, length: int = 20, vocab: int = 5):
    """Token sequences; a token's tag is 1 when it equals its left or right neighbour."""
    g = torch.Generator().manual_seed(23)
    x = torch.randint(0, vocab, (n, length), generator=g)
    same = x[:, 1:] == x[:, :-1]
    y = torch.zeros(n, length, dtype=torch.long)
    y[:, 1:] |= same.long()
    y[:, :-1] |= same.long()
    cut = n * 3 // 4
    return x[:cut], y[:cut], x[cut:], y[cut:]


class _Tagger(nn.Module):
    def __init__(self, vocab: int = 5, d: int = 16, hidden: int = 32):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.rnn = nn.GRU(d, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * hidden, 2)

    def forward(self, x):
        return self.head(self.rnn(self.embed(x))[0])


def _mnist1d_seq():
    x, y, xv, yv = _mnist1d(4000)
    return x[:, :, None], y, xv[:, :, None], yv


@functools.lru_cache(maxsize=1)
def _noisy_digits():
    x, y, xv, yv = _digits()
    g = torch.Generator().manual_seed(31)
    flip = torch.rand(len(y), generator=g) < 0.25
    y = torch.where(flip, torch.randint(0, 10, (len(y),), generator=g), y)
    return x, y, xv, yv


def _cnn_dropout() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
                         nn.Flatten(), nn.Dropout(0.3), nn.Linear(32 * 16, 10))


@functools.lru_cache(maxsize=1)
def _heavy_tailed(n: int = 5000, d: int = 20):
    g = torch.Generator().manual_seed(32)
    x = torch.randn(n, d, generator=g)
    clean = torch.sin(x[:, :5] @ torch.randn(5, 1, generator=g)) + 0.3 * (x[:, 5:10] ** 2).sum(1, keepdim=True) / 5
    # Student-t noise (1.5 degrees of freedom) from a seeded generator: the same data in every run
    noise = torch.tensor(np.random.default_rng(32).standard_t(1.5, (n, 1)), dtype=torch.float32) * 0.2
    y = clean + noise
    cut = n * 3 // 4
    return x[:cut], y[:cut], x[cut:], clean[cut:]


def _selu_mlp() -> nn.Module:
    layers: list[nn.Module] = []
    for a, b in zip([20, 128, 128], [128, 128, 128]):
        lin = nn.Linear(a, b)
        nn.init.normal_(lin.weight, std=a ** -0.5)
        layers += [lin, nn.SELU()]
    return nn.Sequential(*layers, nn.Linear(128, 1))


@functools.lru_cache(maxsize=1)
def _distill():
    """Digits with the soft predictions (temperature 2) of a fixed random teacher as targets."""
    x, _, xv, _ = _digits()
    x, xv = x.flatten(1), xv.flatten(1)
    g = torch.Generator().manual_seed(33)
    w1, w2 = torch.randn(64, 64, generator=g) / 8, torch.randn(64, 10, generator=g) / 4
    def soft(a):
        return torch.softmax(torch.tanh(a @ w1 * 3) @ w2 * 2, dim=1)
    return x, soft(x), xv, soft(xv)


def _kl_soft(logits, target):
    return nn.functional.kl_div(torch.log_softmax(logits, dim=1), target, reduction="batchmean")


def _agreement(logits, target):
    return float((logits.argmax(1) == target.argmax(1)).float().mean())


class _DAE(nn.Module):
    """An MLP autoencoder that sees its input with Gaussian noise while training."""

    def __init__(self):
        super().__init__()
        self.net = _mlp([40, 128, 16, 128, 40])

    def forward(self, x):
        return self.net(x + 0.5 * torch.randn_like(x) if self.training else x)


def _mnist1d_recon():
    x, _, xv, _ = _mnist1d(4000)
    return x, x, xv, xv


class _ResConv1d(nn.Module):
    """A 1-D CNN of three residual blocks without normalisation."""

    def __init__(self, width: int = 16):
        super().__init__()
        self.inp = nn.Conv1d(1, width, 5, padding=2)
        self.blocks = nn.ModuleList(nn.Sequential(nn.ReLU(), nn.Conv1d(width, width, 3, padding=1), nn.ReLU(),
                                                  nn.Conv1d(width, width, 3, padding=1)) for _ in range(3))
        self.head = nn.Linear(width, 10)

    def forward(self, x):
        h = self.inp(x[:, None])
        for b in self.blocks:
            h = h + b(h)
        return self.head(torch.relu(h).mean(2))


@functools.lru_cache(maxsize=1)
def _regression(n: int = 2000, d: int = 20):
    from sklearn.datasets import make_regression

    x, y = make_regression(n, n_features=d, n_informative=12, noise=5.0, random_state=41)
    y = y + 25.0 * np.sin(x[:, 0]) * x[:, 1]                                  # an interaction to learn
    xtr, ytr, xva, yva = _split(x.astype(np.float32), y.astype(np.float32), 1 / 4)
    a, b = _standard(xtr, xva)
    m, s = ytr.mean(), ytr.std()
    return a, torch.tensor((ytr - m) / s)[:, None], b, torch.tensor((yva - m) / s)[:, None]


def _cnn_pool() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1),
                         nn.ReLU(), nn.Flatten(), nn.Linear(32 * 16, 10))


def _moons_tiny():
    x, y, xv, yv = _moons()
    return x[:64], y[:64], xv, yv


def _cnn_dropout_half() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.5),
                         nn.Flatten(), nn.Linear(16 * 16, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 10))


def _resnet_deeper() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
        _Residual2d(32), _Residual2d(32), _Residual2d(32),
        nn.Conv2d(32, 64, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
        _Residual2d(64), _Residual2d(64),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def _mlp_bn() -> nn.Module:
    return nn.Sequential(nn.Linear(20, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Linear(256, 256), nn.BatchNorm1d(256),
                         nn.ReLU(), nn.Linear(256, 5))


class _WideCNN1d(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Conv1d(1, 64, 5, padding=2), nn.ReLU(), nn.Conv1d(64, 128, 5, stride=2, padding=2),
                                 nn.ReLU(), nn.Conv1d(128, 128, 3, stride=2, padding=1), nn.ReLU(),
                                 nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(128, 10))

    def forward(self, x):
        return self.net(x[:, None, :])



# --------------------------------------------------------------------------- the ninth batch
@functools.lru_cache(maxsize=1)
def _sbm_graph(nodes: int = 600, blocks: int = 4, dim: int = 16):
    """A stochastic block model: 4 communities (edge probability 0.04 inside, 0.01 across), weak
    node features (the community's direction plus noise); 20% of the nodes labelled for training,
    30% for validation. Returns features, the normalised adjacency D^-1/2 (A + I) D^-1/2 and labels."""
    g = torch.Generator().manual_seed(17)
    label = torch.arange(nodes) % blocks
    same = label[:, None] == label[None, :]
    a = (torch.rand(nodes, nodes, generator=g) < torch.where(same, 0.04, 0.01)).float()
    a = torch.triu(a, 1)
    a = a + a.T + torch.eye(nodes)
    d = a.sum(1).rsqrt()
    centres = torch.randn(blocks, dim, generator=g)
    x = 0.3 * centres[label] + torch.randn(nodes, dim, generator=g)
    order = torch.randperm(nodes, generator=g)
    train, val = order[: nodes // 5], order[nodes // 5: nodes // 2]
    ytr, yva = torch.full((nodes,), -1), torch.full((nodes,), -1)
    ytr[train], yva[val] = label[train], label[val]
    return x, d[:, None] * a * d[None, :], ytr, yva


class _GCN(nn.Module):
    """Two graph convolutions (Kipf and Welling) over a fixed normalised adjacency, dropout 0.5."""

    def __init__(self, adjacency: torch.Tensor, dim: int = 16, hidden: int = 32, classes: int = 4):
        super().__init__()
        self.register_buffer("adj", adjacency)
        self.l1, self.l2, self.drop = nn.Linear(dim, hidden), nn.Linear(hidden, classes), nn.Dropout(0.5)

    def forward(self, x):
        return self.adj @ self.l2(self.drop(torch.relu(self.adj @ self.l1(self.drop(x)))))


def _labelled_accuracy(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    keep = targets >= 0
    return accuracy(outputs[keep], targets[keep])


def _b_gcn(seed, smoke):
    """Full-batch node classification: the loader is one batch (the whole graph), the same at every step."""
    x, adj, ytr, yva = _sbm_graph()
    _seeded(seed)
    model = _GCN(adj)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=5e-4)
    return model, opt, nn.CrossEntropyLoss(ignore_index=-1), [(x, ytr)], (x, yva), _labelled_accuracy


def _digit_split(low: bool):
    x, y, xv, yv = _digits()
    x, xv = x.flatten(1), xv.flatten(1)
    keep, keep_v = (y < 5, yv < 5) if low else (y >= 5, yv >= 5)
    shift = 0 if low else 5
    return x[keep], y[keep] - shift, xv[keep_v], yv[keep_v] - shift


@functools.lru_cache(maxsize=1)
def _pretrained_backbone() -> dict:
    """An MLP backbone 64-128-128 trained on the digits 0-4 (Adam 1e-3, 400 steps, batch 64, fixed seed)."""
    x, y, _, _ = _digit_split(low=True)
    torch.manual_seed(123)
    backbone, head = _mlp([64, 128, 128]), nn.Linear(128, 5)
    net = nn.Sequential(backbone, nn.ReLU(), head)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loader = BatchLoader(x, y, 64, 123)
    step = 0
    while step < 400:
        for xb, yb in loader:
            opt.zero_grad()
            nn.functional.cross_entropy(net(xb), yb).backward()
            opt.step()
            step += 1
            if step == 400:
                break
    return {k: v.detach().clone() for k, v in backbone.state_dict().items()}


def _b_finetune(seed, smoke):
    """The pretrained backbone with a new head (seeded), fine-tuned as a whole on the digits 5-9."""
    x, y, xv, yv = _digit_split(low=False)
    state = _pretrained_backbone()
    _seeded(seed)
    backbone = _mlp([64, 128, 128])
    backbone.load_state_dict(state)
    model = nn.Sequential(backbone, nn.ReLU(), nn.Linear(128, 5))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return model, opt, nn.CrossEntropyLoss(), BatchLoader(x, y, 32, seed), (xv, yv), accuracy


def _b_cnn_groups(seed, smoke):
    """A BatchNorm CNN under AdamW with the usual two parameter groups: weight decay 0.05 on the
    weights of convolutions and linear layers, none on biases and normalisation; label smoothing 0.1."""
    x, y, xv, yv = _digits()
    _seeded(seed)
    model = _cnn_bn(nn.ReLU)
    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    rest = [p for n, p in model.named_parameters() if p.ndim <= 1]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": rest, "weight_decay": 0.0}], lr=1e-3)
    return (model, opt, nn.CrossEntropyLoss(label_smoothing=0.1), BatchLoader(x, y, 64, seed), (xv, yv), accuracy)


@functools.lru_cache(maxsize=1)
def _forecast(n: int = 5000, past: int = 32, ahead: int = 4):
    """Windows of one long series (two seasonal terms, an AR(2) part and noise): 32 past values
    -> the next 4. The last quarter of the series is the validation part."""
    rng = np.random.default_rng(29)
    length = n + past + ahead
    t = np.arange(length)
    ar = np.zeros(length)
    for i in range(2, length):
        ar[i] = 1.2 * ar[i - 1] - 0.4 * ar[i - 2] + rng.normal(0, 0.3)
    s = (np.sin(2 * np.pi * t / 24) + 0.5 * np.sin(2 * np.pi * t / 7 + 1.0) + 0.5 * ar).astype(np.float32)
    s = (s - s.mean()) / s.std()
    idx = np.arange(n)[:, None]
    x, y = s[idx + np.arange(past)], s[idx + past + np.arange(ahead)]
    cut = int(n * 0.75)
    return (torch.tensor(x[:cut]), torch.tensor(y[:cut]), torch.tensor(x[cut + past:]), torch.tensor(y[cut + past:]))


def _forecaster() -> nn.Module:
    return nn.Sequential(nn.Unflatten(1, (1, 32)), nn.Conv1d(1, 32, 5, padding=2), nn.ReLU(),
                         nn.Conv1d(32, 32, 5, stride=2, padding=2), nn.ReLU(), nn.Flatten(), nn.Linear(32 * 16, 4))


@functools.lru_cache(maxsize=1)
def _covtype_like():
    return _classes(n_samples=12000, n_features=54, n_informative=20, n_redundant=10, n_classes=7,
                    n_clusters_per_class=3, class_sep=0.8, flip_y=0.02, random_state=31)



# --------------------------------------------------------------------------- the tenth batch
@functools.lru_cache(maxsize=1)
def _hetero(n: int = 4000, d: int = 10):
    """Regression whose noise grows with |x_0| (heteroscedastic): targets for a Gaussian likelihood."""
    g = torch.Generator().manual_seed(41)
    x = torch.randn(n, d, generator=g)
    mean = torch.sin(2 * x[:, :1]) + 0.5 * x[:, 1:2] * x[:, 2:3]
    y = mean + (0.1 + 0.5 * x[:, :1].abs()) * torch.randn(n, 1, generator=g)
    cut = n * 3 // 4
    return x[:cut], y[:cut], x[cut:], mean[cut:]


def _gauss_nll(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Gaussian negative log-likelihood with a predicted log-variance (it goes below zero)."""
    mean, logvar = out[:, :1], out[:, 1:]
    return (0.5 * (logvar + (target - mean) ** 2 / logvar.exp())).mean()


def _mean_r2(out: torch.Tensor, target: torch.Tensor) -> float:
    return _r2(out[:, :1], target)


@functools.lru_cache(maxsize=1)
def _quantile_data(n: int = 4000, d: int = 8):
    g = torch.Generator().manual_seed(43)
    x = torch.randn(n, d, generator=g)
    y = x[:, :1] - 0.5 * x[:, 1:2] ** 2 + torch.distributions.Exponential(1.0).icdf(torch.rand(n, 1, generator=g))
    cut = n * 3 // 4
    return x[:cut], y[:cut], x[cut:], y[cut:]


def _pinball(out: torch.Tensor, target: torch.Tensor, q: float = 0.9) -> torch.Tensor:
    err = target - out
    return torch.maximum(q * err, (q - 1) * err).mean()


def _pinball_skill(out: torch.Tensor, target: torch.Tensor) -> float:
    """1 - pinball loss / that of the best constant (the targets' 0.9 quantile): higher is better."""
    const = torch.quantile(target, 0.9).expand_as(target)
    return 1.0 - float(_pinball(out, target)) / float(_pinball(const, target))


@functools.lru_cache(maxsize=1)
def _sorting(n: int = 6000, length: int = 6, vocab: int = 10):
    """Sort 6 digits. The model's input packs the source and the target shifted right behind a
    start token (10), for teacher forcing: (n, 12) tokens."""
    g = torch.Generator().manual_seed(47)
    src = torch.randint(0, vocab, (n, length), generator=g)
    tgt = src.sort(1).values
    dec = torch.cat([torch.full((n, 1), vocab), tgt[:, :-1]], 1)
    x = torch.cat([src, dec], 1)
    cut = n * 3 // 4
    return x[:cut], tgt[:cut], x[cut:], tgt[cut:]


class _Seq2Seq(nn.Module):
    """A GRU encoder-decoder (teacher forcing): the encoder's last state starts the decoder."""

    def __init__(self, vocab: int = 11, d: int = 32, hidden: int = 64, length: int = 6):
        super().__init__()
        self.length = length
        self.emb = nn.Embedding(vocab, d)
        self.enc, self.dec = nn.GRU(d, hidden, batch_first=True), nn.GRU(d, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocab - 1)

    def forward(self, x):
        src, dec = x[:, : self.length], x[:, self.length:]
        _, h = self.enc(self.emb(src))
        out, _ = self.dec(self.emb(dec), h)
        return self.head(out)


class _DWSep(nn.Module):
    """Depthwise-separable convolutions with BatchNorm (MobileNet-like) on 8x8 digits."""

    def __init__(self):
        super().__init__()

        def block(cin, cout, stride):
            return [nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), nn.BatchNorm2d(cin), nn.ReLU(),
                    nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

        self.net = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
                                 *block(16, 32, 1), *block(32, 64, 2), *block(64, 64, 1),
                                 nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))

    def forward(self, x):
        return self.net(x)


@functools.lru_cache(maxsize=1)
def _imbalanced():
    return _classes(float_labels=True, n_samples=8000, n_features=20, n_informative=8, n_redundant=4, weights=[0.95],
                    class_sep=0.8, flip_y=0.01, random_state=53)


def _balanced_accuracy(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    """Mean of the recall of each class (one logit, > 0 means positive): 0.5 for a constant guess."""
    pred = outputs > 0
    pos, neg = targets > 0.5, targets <= 0.5
    return 0.5 * (float(pred[pos].float().mean()) + float((~pred[neg]).float().mean()))


class _DeepResMLP(nn.Module):
    """16 pre-LayerNorm residual MLP blocks of width 64 on MNIST-1D."""

    def __init__(self, blocks: int = 16, d: int = 64):
        super().__init__()
        self.inp = nn.Linear(40, d)
        self.blocks = nn.ModuleList(nn.Sequential(nn.LayerNorm(d), nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))
                                    for _ in range(blocks))
        self.out = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, 10))

    def forward(self, x):
        h = self.inp(x)
        for b in self.blocks:
            h = h + b(h)
        return self.out(h)



# --------------------------------------------------------------------------- the eleventh batch
class _ClsEncoder(nn.Module):
    """A pre-LayerNorm transformer encoder with a learnt CLS token over MNIST-1D's 10 patches."""

    def __init__(self, d: int = 32, heads: int = 4, layers: int = 3):
        super().__init__()
        self.embed = nn.Linear(4, d)
        self.cls = nn.Parameter(torch.zeros(1, 1, d))
        self.pos = nn.Parameter(torch.randn(1, 11, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, heads, 2 * d, dropout=0.1, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, 10))

    def forward(self, x):
        h = self.embed(_patches(x))
        h = torch.cat([self.cls.expand(len(h), -1, -1), h], 1) + self.pos
        return self.head(self.encoder(h)[:, 0])


def _multitask_data():
    """Digits with two targets: the class and the image's mean intensity (standardised)."""
    x, y, xv, yv = _digits()
    x, xv = x.flatten(1), xv.flatten(1)
    m, sd = x.mean(1).mean(), x.mean(1).std()
    return x, (y, (x.mean(1) - m) / sd), xv, (yv, (xv.mean(1) - m) / sd)


class _TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(_mlp([64, 128, 128]), nn.ReLU())
        self.cls, self.reg = nn.Linear(128, 10), nn.Linear(128, 1)

    def forward(self, x):
        h = self.body(x)
        return self.cls(h), self.reg(h)[:, 0]


def _multitask_loss(out, target):
    """Cross-entropy on the class plus 10 x the squared error on the intensity."""
    return nn.functional.cross_entropy(out[0], target[0]) + 10.0 * nn.functional.mse_loss(out[1], target[1])


def _multitask_accuracy(out, target):
    return accuracy(out[0], target[0])


class _PairLoader(BatchLoader):
    """BatchLoader whose targets are a pair of tensors."""

    def __init__(self, x, ys, batch_size, seed):
        super().__init__(x, torch.arange(len(x)), batch_size, seed)
        self.ys = ys

    def __iter__(self):
        for xb, idx in super().__iter__():
            yield xb, tuple(t[idx] for t in self.ys)


def _b_multitask(seed, smoke):
    x, y, xv, yv = _multitask_data()
    _seeded(seed)
    model = _TwoHeads()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return model, opt, _multitask_loss, _PairLoader(x, y, 32, seed), (xv, yv), _multitask_accuracy


@functools.lru_cache(maxsize=1)
def _ratings(users: int = 400, items: int = 300, n: int = 30000, rank: int = 4):
    """Explicit ratings from a low-rank model plus user and item biases and noise (standardised)."""
    g = torch.Generator().manual_seed(59)
    u, i = torch.randn(users, rank, generator=g), torch.randn(items, rank, generator=g)
    bu, bi = torch.randn(users, generator=g), torch.randn(items, generator=g)
    pairs = torch.stack([torch.randint(0, users, (n,), generator=g), torch.randint(0, items, (n,), generator=g)], 1)
    r = (u[pairs[:, 0]] * i[pairs[:, 1]]).sum(1) / rank ** 0.5 + bu[pairs[:, 0]] + bi[pairs[:, 1]]
    r = r + 0.5 * torch.randn(n, generator=g)
    r = (r - r.mean()) / r.std()
    cut = n * 4 // 5
    return pairs[:cut], r[:cut], pairs[cut:], r[cut:]


class _WideDeep(nn.Module):
    """Wide part: a bias per user and per item; deep part: embeddings through an MLP."""

    def __init__(self, users: int = 400, items: int = 300, d: int = 16):
        super().__init__()
        self.bu, self.bi = nn.Embedding(users, 1), nn.Embedding(items, 1)
        self.eu, self.ei = nn.Embedding(users, d), nn.Embedding(items, d)
        self.mlp = _mlp([2 * d, 64, 32, 1])

    def forward(self, ui):
        u, i = ui[:, 0], ui[:, 1]
        deep = self.mlp(torch.cat([self.eu(u), self.ei(i)], 1))
        return (self.bu(u) + self.bi(i) + deep)[:, 0]


def _convae1d() -> nn.Module:
    """A strided 1-D convolutional autoencoder for 40-sample signals (40 -> 20 -> 10 -> 20 -> 40)."""
    return nn.Sequential(nn.Unflatten(1, (1, 40)), nn.Conv1d(1, 16, 5, stride=2, padding=2), nn.ReLU(),
                         nn.Conv1d(16, 8, 5, stride=2, padding=2), nn.ReLU(),
                         nn.ConvTranspose1d(8, 16, 4, stride=2, padding=1), nn.ReLU(),
                         nn.ConvTranspose1d(16, 1, 4, stride=2, padding=1), nn.Flatten())


class _RowGRU(nn.Module):
    """A GRU reading an 8x8 digit one row (8 pixels) per step; its last state through a linear head."""

    def __init__(self, hidden: int = 32):
        super().__init__()
        self.rnn, self.head = nn.GRU(8, hidden, batch_first=True), nn.Linear(hidden, 10)

    def forward(self, x):
        out, _ = self.rnn(x[:, 0])
        return self.head(out[:, -1])


# --------------------------------------------------------------------------- the twelfth batch
class _NextBlock(nn.Module):
    """A ConvNeXt block: depthwise conv, LayerNorm over channels, 4x inverted bottleneck with GELU,
    layer scale (initialised at 1e-6, as in ConvNeXt) on the residual branch."""

    def __init__(self, c: int):
        super().__init__()
        self.dw = nn.Conv2d(c, c, 3, padding=1, groups=c)
        self.norm = nn.GroupNorm(1, c)
        self.mlp = nn.Sequential(nn.Conv2d(c, 4 * c, 1), nn.GELU(), nn.Conv2d(4 * c, c, 1))
        self.gamma = nn.Parameter(torch.full((1, c, 1, 1), 1e-6))

    def forward(self, x):
        return x + self.gamma * self.mlp(self.norm(self.dw(x)))


def _convnext() -> nn.Module:
    """A patchify stem (8x8 -> 4x4, 32 channels), two ConvNeXt blocks, mean pooling, LayerNorm, head."""
    return nn.Sequential(nn.Conv2d(1, 32, 2, stride=2), nn.GroupNorm(1, 32), *[_NextBlock(32) for _ in range(2)],
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.LayerNorm(32), nn.Linear(32, 10))


class _Embedder(nn.Module):
    """An MLP (MNIST-1D's 40 values in) whose output is an L2-normalised 32-d embedding."""

    def __init__(self):
        super().__init__()
        self.net = _mlp([40, 256, 128, 32])

    def forward(self, x):
        return nn.functional.normalize(self.net(x.flatten(1)), dim=1)


def _supcon(z: torch.Tensor, y: torch.Tensor, tau: float = 0.1) -> torch.Tensor:
    """Supervised contrastive loss (Khosla et al., 2020) over one batch of normalised embeddings."""
    sim = z @ z.T / tau
    eye = torch.eye(len(z), dtype=torch.bool)
    sim = sim.masked_fill(eye, -1e9)
    logp = sim - torch.logsumexp(sim, 1, keepdim=True)
    pos = (y[:, None] == y[None, :]) & ~eye
    return -((logp * pos).sum(1) / pos.sum(1).clamp(min=1)).mean()


def _nn_accuracy(z: torch.Tensor, y: torch.Tensor) -> float:
    """Leave-one-out nearest-neighbour accuracy (cosine) of the validation embeddings."""
    sim = z @ z.T
    sim.fill_diagonal_(-math.inf)
    return float((y[sim.argmax(1)] == y).float().mean())


@functools.lru_cache(maxsize=1)
def _denoise_digits():
    """Digits with Gaussian noise (sd 0.3, drawn once from a fixed seed) as inputs, the clean images as targets."""
    x, _, xv, _ = _digits()
    g = torch.Generator().manual_seed(61)
    return x + 0.3 * torch.randn(x.shape, generator=g), x, xv + 0.3 * torch.randn(xv.shape, generator=g), xv


class _TinyUNet(nn.Module):
    """Encoder (8x8, 16 channels) -> strided conv (4x4, 32) -> transposed conv back up, with a skip connection."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU())
        self.down = nn.Sequential(nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
                                  nn.Conv2d(32, 32, 3, padding=1), nn.ReLU())
        self.up = nn.ConvTranspose2d(32, 16, 2, stride=2)
        self.dec = nn.Sequential(nn.Conv2d(32, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 1, 1))

    def forward(self, x):
        e = self.enc(x)
        return self.dec(torch.cat([e, self.up(self.down(e))], 1))


@functools.lru_cache(maxsize=1)
def _counts(n: int = 8000, length: int = 30):
    """Sequences of 4 tokens; the label says whether token 1 occurs more often than token 2 (ties dropped)."""
    g = torch.Generator().manual_seed(67)
    x = torch.randint(0, 4, (2 * n, length), generator=g)
    diff = (x == 1).sum(1) - (x == 2).sum(1)
    keep = diff != 0
    x, y = x[keep][:n], (diff[keep][:n] > 0).long()
    cut = n * 3 // 4
    return x[:cut], y[:cut], x[cut:], y[cut:]


class _TokenLSTM(nn.Module):
    def __init__(self, vocab: int = 4, d: int = 16, hidden: int = 48):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.rnn = nn.LSTM(d, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 2)

    def forward(self, x):
        return self.head(self.rnn(self.embed(x))[0][:, -1])


@functools.lru_cache(maxsize=1)
def _tabular8():
    return _classes(n_samples=8000, n_features=30, n_informative=15, n_redundant=5, n_classes=8,
                    n_clusters_per_class=2, flip_y=0.02, random_state=71)


def _mlp_bn_dropout() -> nn.Module:
    return nn.Sequential(nn.Linear(30, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.3),
                         nn.Linear(256, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.3), nn.Linear(256, 8))


def _cnn1d_pool() -> nn.Module:
    return nn.Sequential(nn.Unflatten(1, (1, 40)), nn.Conv1d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
                         nn.Conv1d(32, 64, 5, padding=2), nn.ReLU(), nn.AdaptiveAvgPool1d(1), nn.Flatten(),
                         nn.Linear(64, 10))



# --------------------------------------------------------------------------- the thirteenth batch
@functools.lru_cache(maxsize=1)
def _two_views():
    """Digits as two noisy, randomly shifted views each (drawn once from a fixed seed): (N, 2, 64)."""
    x, y, xv, yv = _digits()
    g = torch.Generator().manual_seed(73)

    def views(imgs):
        out = []
        for _ in range(2):
            shift = torch.randint(-1, 2, (2,), generator=g)
            v = torch.roll(imgs, shifts=(int(shift[0]), int(shift[1])), dims=(2, 3))
            out.append((v + 0.3 * torch.randn(v.shape, generator=g)).flatten(1))
        return torch.stack(out, 1)

    return views(x), y, views(xv), yv


class _TwoViewEncoder(nn.Module):
    """An MLP applied to each of two views; normalised 32-d embeddings, (N, 2, 32)."""

    def __init__(self):
        super().__init__()
        self.net = _mlp([64, 256, 128, 32])

    def forward(self, x):
        return nn.functional.normalize(self.net(x), dim=-1)


def _nt_xent(z: torch.Tensor, y: torch.Tensor, tau: float = 0.2) -> torch.Tensor:
    """SimCLR's NT-Xent: each view's positive is the other view of its sample (labels unused)."""
    del y
    a = torch.cat([z[:, 0], z[:, 1]])
    n = len(z)
    sim = (a @ a.T / tau).masked_fill(torch.eye(2 * n, dtype=torch.bool), -1e9)
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(n)])
    return nn.functional.cross_entropy(sim, target)


def _first_view_nn_accuracy(z: torch.Tensor, y: torch.Tensor) -> float:
    return _nn_accuracy(z[:, 0], y)


@functools.lru_cache(maxsize=1)
def _directions(n: int = 6000, d: int = 16, k: int = 8):
    """Inputs and the unit direction of a fixed nonlinear map of them plus noise (the target)."""
    g = torch.Generator().manual_seed(79)
    x = torch.randn(n, d, generator=g)
    w1, w2 = torch.randn(d, 32, generator=g) / d ** 0.5, torch.randn(32, k, generator=g) / 32 ** 0.5
    t = torch.tanh(x @ w1) @ w2 + 0.1 * torch.randn(n, k, generator=g)
    t = nn.functional.normalize(t, dim=1)
    cut = n * 3 // 4
    return x[:cut], t[:cut], x[cut:], t[cut:]


class _UnitOut(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = _mlp([16, 128, 128, 8])

    def forward(self, x):
        return nn.functional.normalize(self.net(x), dim=1)


def _cosine_loss(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return (1.0 - (out * target).sum(1)).mean()


def _mean_cosine(out: torch.Tensor, target: torch.Tensor) -> float:
    return float((out * target).sum(1).mean())


class _CosFace(nn.Module):
    """An MLP whose normalised features meet normalised class weights: logits ``s (cos - m)`` for the
    true class and ``s cos`` for the others (CosFace, Wang et al. 2018; the margin only in training)."""

    def __init__(self, s: float = 16.0, m: float = 0.2):
        super().__init__()
        self.body = _mlp([40, 256, 128])
        self.w = nn.Parameter(torch.randn(10, 128) * 0.1)
        self.s, self.m = s, m

    def forward(self, x):
        return self.s * nn.functional.normalize(self.body(x), dim=1) @ nn.functional.normalize(self.w, dim=1).T


def _cosface_loss(logits: torch.Tensor, y: torch.Tensor, s: float = 16.0, m: float = 0.2) -> torch.Tensor:
    return nn.functional.cross_entropy(logits - s * m * nn.functional.one_hot(y, logits.shape[1]), y)


class _Embed40(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = _mlp([40, 128, 32])

    def forward(self, x):
        return nn.functional.normalize(self.net(x.flatten(1)), dim=1)


def _triplet(z: torch.Tensor, y: torch.Tensor, margin: float = 0.2) -> torch.Tensor:
    """Batch-hard triplet loss (Hermans et al., 2017) on normalised embeddings: each anchor's
    farthest positive against its nearest negative."""
    d = torch.cdist(z, z)
    same = y[:, None] == y[None, :]
    hardest_pos = (d * same).max(1).values
    hardest_neg = d.masked_fill(same, math.inf).min(1).values
    return torch.relu(hardest_pos - hardest_neg + margin).mean()


def _sigmoid_ae() -> nn.Module:
    return nn.Sequential(nn.Flatten(), _mlp([64, 128, 16, 128, 64]), nn.Sigmoid(), nn.Unflatten(1, (1, 8, 8)))




@functools.lru_cache(maxsize=1)
def _raw_targets(n: int = 4000, d: int = 10):
    """A regression whose targets keep their raw scale (mean about 300): inputs standardised, as
    a user would, targets not."""
    from sklearn.datasets import make_regression

    x, y = make_regression(n, n_features=d, n_informative=8, noise=15.0, bias=300.0, random_state=77)
    y = y + 30.0 * np.tanh(x[:, 2] * x[:, 3])                                 # an interaction to learn
    xtr, ytr, xva, yva = _split(x.astype(np.float32), y.astype(np.float32), 1 / 4)
    a, b = _standard(xtr, xva)
    return a, torch.tensor(ytr)[:, None], b, torch.tensor(yva)[:, None]


@functools.lru_cache(maxsize=1)
def _topic_docs(n: int = 8000, length: int = 30, vocab: int = 2000, topics: int = 8):
    """Documents of ``length`` tokens: 40% from their topic's own Zipf-weighted words, the rest
    from one shared Zipf background; the label is the topic."""
    rng = np.random.default_rng(14)
    zipf = 1.0 / np.arange(1, vocab + 1)
    background = zipf / zipf.sum()
    own = np.stack([rng.permutation(zipf) for _ in range(topics)])
    own[:, :50] = 0.0                                                         # the commonest words are shared
    own /= own.sum(1, keepdims=True)
    y = rng.integers(0, topics, n)
    mine = rng.random((n, length)) < 0.4
    docs = np.where(mine, np.stack([rng.choice(vocab, length, p=own[t]) for t in y]),
                    rng.choice(vocab, (n, length), p=background))
    xtr, ytr, xva, yva = _split(docs.astype(np.int64), y, 1 / 4)
    return torch.tensor(xtr), torch.tensor(ytr), torch.tensor(xva), torch.tensor(yva)


class _BagOfEmbeddings(nn.Module):
    def __init__(self, vocab: int = 2000, dim: int = 64, classes: int = 8):
        super().__init__()
        self.bag, self.head = nn.EmbeddingBag(vocab, dim, mode="mean"), nn.Linear(dim, classes)

    def forward(self, tokens):
        return self.head(self.bag(tokens))


def _hot_init_mlp() -> nn.Module:
    """MLP 64-256-10 whose last layer starts 10x its default scale: over-confident at init."""
    net = nn.Sequential(nn.Flatten(), _mlp([64, 256, 10]))
    last = [m for m in net.modules() if isinstance(m, nn.Linear)][-1]
    with torch.no_grad():
        last.weight.mul_(10.0)
    return net



def _classes50():
    return _classes(0.2, n_samples=25000, n_features=50, n_informative=30, n_redundant=10, n_classes=10,
                    n_clusters_per_class=1, class_sep=1.0, flip_y=0.02, random_state=15)


# --------------------------------------------------------------------------- the eighteenth batch
def _cnn_pool2() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1),
                         nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 4, 64), nn.ReLU(), nn.Linear(64, 10))


class _ViT(nn.Module):
    """A small vision transformer on 8x8 digits: 2x2 patches (16 tokens), a CLS token, learnt
    positions, pre-LN encoder layers."""

    def __init__(self, d: int = 48, layers: int = 2, heads: int = 4, classes: int = 10):
        super().__init__()
        self.embed = nn.Linear(4, d)
        self.cls = nn.Parameter(torch.zeros(1, 1, d))
        self.pos = nn.Parameter(torch.randn(1, 17, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, heads, 2 * d, dropout=0.0, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, classes))

    def forward(self, x):
        b = x.shape[0]
        tokens = x.reshape(b, 4, 2, 4, 2).permute(0, 1, 3, 2, 4).reshape(b, 16, 4)
        h = torch.cat([self.cls.expand(b, -1, -1), self.embed(tokens)], 1) + self.pos
        return self.head(self.encoder(h)[:, 0])


class _TextCNN(nn.Module):
    def __init__(self, vocab: int = 2000, d: int = 48, channels: int = 64, classes: int = 8):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.conv = nn.Conv1d(d, channels, 3, padding=1)
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(channels, classes))

    def forward(self, tokens):
        h = torch.relu(self.conv(self.embed(tokens).transpose(1, 2)))
        return self.head(h.amax(2))


def _text_rnn(cell: type[nn.Module], vocab: int = 2000, d: int = 32, hidden: int = 64, classes: int = 8) -> nn.Module:
    """Token embeddings, a recurrent ``cell`` (GRU or LSTM), its last step through a linear head."""
    return nn.Sequential(nn.Embedding(vocab, d), _LastStep(cell(d, hidden, batch_first=True), hidden, classes))


def _mlp_bn_cancer() -> nn.Module:
    return nn.Sequential(nn.Linear(30, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Linear(64, 64), nn.BatchNorm1d(64),
                         nn.ReLU(), nn.Linear(64, 2))


@functools.lru_cache(maxsize=1)
def _regression100(n: int = 6000, d: int = 100):
    from sklearn.datasets import make_regression

    x, y = make_regression(n, n_features=d, n_informative=30, noise=10.0, random_state=18)
    y = y + 40.0 * np.tanh(x[:, 0] * x[:, 1]) + 20.0 * np.abs(x[:, 2])      # something nonlinear to learn
    xtr, ytr, xva, yva = _split(x.astype(np.float32), y.astype(np.float32), 1 / 4)
    a, b = _standard(xtr, xva)
    m, s = ytr.mean(), ytr.std()
    return a, torch.tensor((ytr - m) / s)[:, None], b, torch.tensor((yva - m) / s)[:, None]


def _mlp_dropout_mnist1d() -> nn.Module:
    return nn.Sequential(nn.Linear(40, 512), nn.ReLU(), nn.Dropout(0.2), nn.Linear(512, 512), nn.ReLU(), nn.Dropout(0.2),
                         nn.Linear(512, 10))


# --------------------------------------------------------------------------- the nineteenth batch
def _mlp_ln_gelu() -> nn.Module:
    """MLP 50-256-256-10 with LayerNorm before each GELU (the twenty-first batch)."""
    return nn.Sequential(nn.Linear(50, 256), nn.LayerNorm(256), nn.GELU(), nn.Linear(256, 256), nn.LayerNorm(256),
                         nn.GELU(), nn.Linear(256, 10))


class _TextEncoder(nn.Module):
    """Token embeddings and learnt positions, pre-LN encoder layers, mean pooling, a linear head."""

    def __init__(self, vocab: int = 2000, d: int = 32, layers: int = 2, heads: int = 4, length: int = 30,
                 classes: int = 8):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(1, length, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, heads, 2 * d, dropout=0.1, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, classes))

    def forward(self, tokens):
        return self.head(self.encoder(self.embed(tokens) + self.pos).mean(1))


class _ResConv1dBN(nn.Module):
    """A 1-D CNN of three residual blocks with BatchNorm."""

    def __init__(self, width: int = 32):
        super().__init__()
        self.inp = nn.Sequential(nn.Conv1d(1, width, 5, padding=2), nn.BatchNorm1d(width), nn.ReLU())
        self.blocks = nn.ModuleList(nn.Sequential(nn.Conv1d(width, width, 3, padding=1), nn.BatchNorm1d(width), nn.ReLU(),
                                                  nn.Conv1d(width, width, 3, padding=1), nn.BatchNorm1d(width))
                                    for _ in range(3))
        self.head = nn.Linear(width, 10)

    def forward(self, x):
        h = self.inp(x[:, None])
        for b in self.blocks:
            h = torch.relu(h + b(h))
        return self.head(h.mean(2))


def _cancer_bce():
    """The breast-cancer table with float 0/1 targets of shape (N, 1), for one logit and BCE."""
    xtr, ytr, xva, yva = _cancer()
    return xtr, ytr.float().unsqueeze(1), xva, yva.float().unsqueeze(1)


def _deep_ln_mlp() -> nn.Module:
    """MLP 64-128x6-10 on the digits' pixels, LayerNorm before each ReLU (the twenty-third batch)."""
    layers: list[nn.Module] = [nn.Flatten(), nn.Linear(64, 128)]
    for _ in range(5):
        layers += [nn.LayerNorm(128), nn.ReLU(), nn.Linear(128, 128)]
    return nn.Sequential(*layers, nn.LayerNorm(128), nn.ReLU(), nn.Linear(128, 10))


def _t(name, build, budget, quality, optimizer, blind, family="fresh"):
    return BenchTask(name, build, budget, quality, optimizer, blind, family=family)


FRESH: dict[str, BenchTask] = {t.name: t for t in (
    _t("fresh-mlp-wine-adam",
       _plain(_wine, lambda: _mlp([13, 64, 64, 3], dropout=0.2), lambda p: torch.optim.Adam(p, lr=1e-3),
                nn.CrossEntropyLoss(), 16, accuracy), 400, "val_acc", "Adam", 1e-3),
    _t("fresh-cnn-digits-bn-adamw",
       _plain(_digits, _cnn_bn, lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.01),
                nn.CrossEntropyLoss(), 128, accuracy), 500, "val_acc", "AdamW(weight_decay=0.01)", 1e-3),
    _t("fresh-gru-sines-sgdm",
       _plain(_sines, lambda: _LastStep(nn.GRU(1, 32, batch_first=True), 32, 1), lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9),
                nn.MSELoss(), 32, _r2), 800, "val_r2", "SGD(momentum=0.9)", 1e-2),
    _t("fresh-tfm-reverse-adam",
       _plain(_reverse, _reverser, lambda p: torch.optim.Adam(p, lr=1e-3), _token_ce, 64, _token_accuracy),
       1000, "val_acc", "Adam", 1e-3),
    _t("fresh-mlp-moons-sgd",
       _plain(_moons, lambda: _mlp([2, 32, 32, 2], act=nn.Tanh), lambda p: torch.optim.SGD(p, lr=1e-2),
                nn.CrossEntropyLoss(), 32, accuracy), 600, "val_acc", "SGD", 1e-2),
    _t("fresh-mlp-blobs-rmsprop",
       _plain(_blobs, lambda: _mlp([20, 128, 5]), lambda p: torch.optim.RMSprop(p, lr=1e-2),
                nn.CrossEntropyLoss(label_smoothing=0.1), 256, accuracy), 400, "val_acc", "RMSprop", 1e-2),
    _t("fresh-reg-huber-adamax",
       _plain(_huber_data, lambda: _mlp([15, 64, 64, 1]), lambda p: torch.optim.Adamax(p, lr=2e-3),
                nn.HuberLoss(), 64, _r2), 600, "val_r2", "Adamax", 2e-3),
    _t("fresh-cnn1d-mnist1d-nesterov",
       _plain(_mnist1d_data, _cnn1d_gn, lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9, nesterov=True),
                nn.CrossEntropyLoss(), 32, accuracy), 800, "val_acc", "SGD(momentum=0.9, nesterov)", 1e-2),
    _t("fresh-linear-digits-adagrad",
       _plain(_digits, lambda: nn.Sequential(nn.Flatten(), nn.Linear(64, 10)),
                lambda p: torch.optim.Adagrad(p, lr=1e-2), nn.CrossEntropyLoss(), 64, accuracy),
       300, "val_acc", "Adagrad", 1e-2),
    # the second, harder batch
    _t("fresh2-deepmlp-digits-sgd",
       _plain(_digits, lambda: nn.Sequential(nn.Flatten(), _mlp([64, 128, 128, 128, 128, 128, 10])),
              lambda p: torch.optim.SGD(p, lr=1e-2), nn.CrossEntropyLoss(), 64, accuracy),
       800, "val_acc", "SGD", 1e-2, family="fresh2"),
    _t("fresh2-gru-charlm-adamw", _b_gru_charlm, 1000, "val_acc", "AdamW(weight_decay=0.1)", 1e-3, family="fresh2"),
    _t("fresh2-convae-digits-adam",
       _plain(_digits_images, _conv_ae, lambda p: torch.optim.Adam(p, lr=1e-3), nn.MSELoss(), 64,
              lambda out, target: recon_r2(out.flatten(1), target.flatten(1))),
       600, "val_r2", "Adam", 1e-3, family="fresh2"),
    _t("fresh2-cnn6-mnist1d-sgdm",
       _plain(_mnist1d_data, _cnn6, lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9), nn.CrossEntropyLoss(), 64,
              accuracy), 800, "val_acc", "SGD(momentum=0.9)", 1e-2, family="fresh2"),
    _t("fresh2-lstm-parity-adam",
       _plain(_parity, lambda: _LastStep(nn.LSTM(1, 32, batch_first=True), 32, 1), lambda p: torch.optim.Adam(p, lr=1e-3),
              nn.BCEWithLogitsLoss(), 64, bce_accuracy), 1500, "val_acc", "Adam", 1e-3, family="fresh2"),
    _t("fresh2-resmlp-cancer-sgdmwd",
       _plain(_cancer, _ResMLP, lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9, weight_decay=5e-4),
              nn.CrossEntropyLoss(), 32, accuracy), 400, "val_acc", "SGD(momentum=0.9, wd=5e-4)", 1e-2, family="fresh2"),
    # the third batch: long budgets, the smallest and largest batches, other shapes
    _t("fresh3-mixer-mnist1d-adamw",
       _plain(_mnist1d_data, _Mixer, lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.05), nn.CrossEntropyLoss(),
              64, accuracy), 2500, "val_acc", "AdamW(weight_decay=0.05)", 1e-3, family="fresh3"),
    _t("fresh3-tcn-sines-rmsprop",
       _plain(_sines, _TCN, lambda p: torch.optim.RMSprop(p, lr=1e-2), nn.MSELoss(), 32, _r2),
       1500, "val_r2", "RMSprop", 1e-2, family="fresh3"),
    _t("fresh3-mlp-multilabel-adagrad",
       _plain(_multilabel, lambda: _mlp([40, 128, 8]), lambda p: torch.optim.Adagrad(p, lr=1e-2),
              nn.BCEWithLogitsLoss(), 512, bce_accuracy), 300, "val_acc", "Adagrad", 1e-2, family="fresh3"),
    _t("fresh3-mlp-classif-sgd-bs8",
       _plain(_classif, lambda: _mlp([30, 128, 128, 4]), lambda p: torch.optim.SGD(p, lr=1e-2),
              nn.CrossEntropyLoss(), 8, accuracy), 4000, "val_acc", "SGD", 1e-2, family="fresh3"),
    _t("fresh3-twotower-implicit-nesterov", _b_twotower, 2000, "val_acc", "SGD(momentum=0.9, nesterov)", 1e-2,
       family="fresh3"),
    _t("fresh3-vae-digits-adam",
       _plain(_digits_flat, _VAE, lambda p: torch.optim.Adam(p, lr=1e-3), _elbo, 32, _vae_r2),
       1500, "val_r2", "Adam", 1e-3, family="fresh3"),
    _t("fresh3-postln-mnist1d-adam",
       _plain(_mnist1d_data, _post_ln, lambda p: torch.optim.Adam(p, lr=1e-3), nn.CrossEntropyLoss(), 64, accuracy),
       1000, "val_acc", "Adam", 1e-3, family="fresh3"),
    # the fourth batch: shapes that make the best LR unusual
    _t("fresh4-linear-unscaled-sgd",
       _plain(_unscaled, lambda: nn.Linear(10, 1), lambda p: torch.optim.SGD(p, lr=1e-2), nn.MSELoss(), 32, _r2),
       500, "val_r2", "SGD", 1e-2, family="fresh4"),
    _t("fresh4-mlp-digits-adamw-wd",
       _plain(_digits, lambda: nn.Sequential(nn.Flatten(), _mlp([64, 256, 256, 10])),
              lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.5), nn.CrossEntropyLoss(), 32, accuracy),
       1000, "val_acc", "AdamW(weight_decay=0.5)", 1e-3, family="fresh4"),
    _t("fresh4-tanh-deep-nesterov",
       _plain(_digits, lambda: nn.Sequential(nn.Flatten(), _mlp([64] + [64] * 8 + [10], act=nn.Tanh)),
              lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9, nesterov=True), nn.CrossEntropyLoss(), 64, accuracy),
       1000, "val_acc", "SGD(momentum=0.9, nesterov)", 1e-2, family="fresh4"),
    _t("fresh4-cnn-digits-bn-bs4",
       _plain(_digits, lambda: _cnn_bn(nn.ReLU), lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9), nn.CrossEntropyLoss(), 4,
              accuracy), 1500, "val_acc", "SGD(momentum=0.9)", 1e-2, family="fresh4"),
    _t("fresh4-mlp-digits-adadelta",
       _plain(_digits, lambda: nn.Sequential(nn.Flatten(), _mlp([64, 128, 10])), lambda p: torch.optim.Adadelta(p),
              nn.CrossEntropyLoss(), 32, accuracy), 600, "val_acc", "Adadelta", 1.0, family="fresh4"),
    _t("fresh4-poisson-rmsprop",
       _plain(_poisson, lambda: _mlp([8, 32, 1]), lambda p: torch.optim.RMSprop(p, lr=1e-2),
              nn.PoissonNLLLoss(log_input=True), 64, _rate_r2), 800, "val_r2", "RMSprop", 1e-2, family="fresh4"),
    _t("fresh4-bigru-tagger-adam",
       _plain(_tags, _Tagger, lambda p: torch.optim.Adam(p, lr=1e-3), _token_ce, 32, _token_accuracy),
       800, "val_acc", "Adam", 1e-3, family="fresh4"),
    # the fifth batch: other losses and training signals
    _t("fresh5-gru-mnist1d-sgd",
       _plain(_mnist1d_seq, lambda: _LastStep(nn.GRU(1, 48, batch_first=True), 48, 10), lambda p: torch.optim.SGD(p, lr=1e-2),
              nn.CrossEntropyLoss(), 32, accuracy), 1500, "val_acc", "SGD", 1e-2, family="fresh5"),
    _t("fresh5-cnn-digits-noisy-adam",
       _plain(_noisy_digits, _cnn_dropout, lambda p: torch.optim.Adam(p, lr=1e-3), nn.CrossEntropyLoss(), 64, accuracy),
       800, "val_acc", "Adam", 1e-3, family="fresh5"),
    _t("fresh5-selu-mlp-sgdm",
       _plain(_heavy_tailed, _selu_mlp, lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9), nn.L1Loss(), 64, _r2),
       1000, "val_r2", "SGD(momentum=0.9)", 1e-2, family="fresh5"),
    _t("fresh5-distill-digits-adam",
       _plain(_distill, lambda: _mlp([64, 128, 10]), lambda p: torch.optim.Adam(p, lr=1e-3), _kl_soft, 32, _agreement),
       600, "val_acc", "Adam", 1e-3, family="fresh5"),
    _t("fresh5-dae-mnist1d-rmsprop",
       _plain(_mnist1d_recon, _DAE, lambda p: torch.optim.RMSprop(p, lr=1e-2), nn.MSELoss(), 128, recon_r2),
       600, "val_r2", "RMSprop", 1e-2, family="fresh5"),
    _t("fresh5-resconv-mnist1d-adamw",
       _plain(_mnist1d_data, _ResConv1d, lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.01), nn.CrossEntropyLoss(),
              128, accuracy), 600, "val_acc", "AdamW(weight_decay=0.01)", 1e-3, family="fresh5"),
    # the sixth batch: budgets outside the suite's 300-5,000 steps (100-250, and 8,000)
    _t("fresh6-reg-make-adamw-b100",
       _plain(_regression, lambda: _mlp([20, 64, 64, 1]), lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.01),
              nn.MSELoss(), 16, _r2), 100, "val_r2", "AdamW(weight_decay=0.01)", 1e-3, family="fresh6"),
    _t("fresh6-mlp-digits-adam-b150",
       _plain(_digits, lambda: nn.Sequential(nn.Flatten(), _mlp([64, 128, 10])), lambda p: torch.optim.Adam(p, lr=1e-3),
              nn.CrossEntropyLoss(), 32, accuracy), 150, "val_acc", "Adam", 1e-3, family="fresh6"),
    _t("fresh6-cnn-digits-sgdm-b200",
       _plain(_digits, _cnn_pool, lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9), nn.CrossEntropyLoss(), 64,
              accuracy), 200, "val_acc", "SGD(momentum=0.9)", 1e-2, family="fresh6"),
    _t("fresh6-gru-sines-adam-b250",
       _plain(_sines, lambda: _LastStep(nn.GRU(1, 32, batch_first=True), 32, 1), lambda p: torch.optim.Adam(p, lr=1e-3),
              nn.MSELoss(), 32, _r2), 250, "val_r2", "Adam", 1e-3, family="fresh6"),
    _t("fresh6-rnn-sines-sgd-b1000",
       _plain(_sines, lambda: _LastStep(nn.RNN(1, 32, batch_first=True), 32, 1), lambda p: torch.optim.SGD(p, lr=1e-2),
              nn.MSELoss(), 32, _r2), 1000, "val_r2", "SGD", 1e-2, family="fresh6"),
    _t("fresh6-mlp-mnist1d-adam-b8000",
       _plain(_mnist1d_data, lambda: _mlp([40, 128, 128, 10]), lambda p: torch.optim.Adam(p, lr=1e-3),
              nn.CrossEntropyLoss(), 64, accuracy), 8000, "val_acc", "Adam", 1e-3, family="fresh6"),
    # the seventh batch: noise and scale extremes (batches of 1 to 4, a summed loss, 64 samples)
    _t("fresh7-mlp-digits-sgd-bs1",
       _plain(_digits, lambda: nn.Sequential(nn.Flatten(), _mlp([64, 64, 10])), lambda p: torch.optim.SGD(p, lr=1e-2),
              nn.CrossEntropyLoss(), 1, accuracy), 2000, "val_acc", "SGD", 1e-2, family="fresh7"),
    _t("fresh7-reg-sum-sgdm",
       _plain(_regression, lambda: _mlp([20, 64, 64, 1]), lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9),
              nn.MSELoss(reduction="sum"), 64, _r2), 600, "val_r2", "SGD(momentum=0.9), loss summed", 1e-2,
       family="fresh7"),
    _t("fresh7-cnn-digits-dropout-adamw-bs2",
       _plain(_digits, _cnn_dropout_half, lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.01),
              nn.CrossEntropyLoss(), 2, accuracy), 1500, "val_acc", "AdamW(weight_decay=0.01)", 1e-3, family="fresh7"),
    _t("fresh7-lstm-sines-rmsprop-bs4",
       _plain(_sines, lambda: _LastStep(nn.LSTM(1, 32, batch_first=True), 32, 1), lambda p: torch.optim.RMSprop(p, lr=1e-2),
              nn.MSELoss(), 4, _r2), 1000, "val_r2", "RMSprop", 1e-2, family="fresh7"),
    _t("fresh7-mlp-moons64-adam",
       _plain(_moons_tiny, lambda: _mlp([2, 64, 64, 2]), lambda p: torch.optim.Adam(p, lr=1e-3),
              nn.CrossEntropyLoss(), 8, accuracy), 1000, "val_acc", "Adam", 1e-3, family="fresh7"),
    _t("fresh7-tfm-reverse-sgdm",
       _plain(_reverse, _reverser, lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9), _token_ce, 64, _token_accuracy),
       1500, "val_acc", "SGD(momentum=0.9)", 1e-2, family="fresh7"),
    # the eighth batch: larger networks of common shapes (up to about 1.1M parameters)
    _t("fresh8-mlp-digits-wide-adamw",
       _plain(_digits, lambda: nn.Sequential(nn.Flatten(), _mlp([64, 1024, 1024, 10])),
              lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.01), nn.CrossEntropyLoss(), 128, accuracy),
       500, "val_acc", "AdamW(weight_decay=0.01)", 1e-3, family="fresh8"),
    _t("fresh8-resnet-digits-nesterov",
       _plain(_digits, _resnet_deeper, lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9, nesterov=True, weight_decay=5e-4),
              nn.CrossEntropyLoss(), 64, accuracy), 300, "val_acc", "SGD(momentum=0.9, nesterov, wd=5e-4)", 1e-2,
       family="fresh8"),
    _t("fresh8-gpt4-charlm-adamw", _charlm(lambda: CharGPT(len(VOCAB), 32, d_model=64, heads=4, layers=4)), 600, "val_acc", "AdamW(weight_decay=0.1)", 1e-3, family="fresh8"),
    _t("fresh8-gru2-mnist1d-adam",
       _plain(_mnist1d_seq, lambda: _LastStep(nn.GRU(1, 64, num_layers=2, batch_first=True), 64, 10),
              lambda p: torch.optim.Adam(p, lr=1e-3), nn.CrossEntropyLoss(), 64, accuracy),
       600, "val_acc", "Adam", 1e-3, family="fresh8"),
    _t("fresh8-mlp-bn-blobs-sgdm",
       _plain(_blobs, _mlp_bn, lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9), nn.CrossEntropyLoss(), 256,
              accuracy), 500, "val_acc", "SGD(momentum=0.9)", 1e-2, family="fresh8"),
    _t("fresh8-cnn1d-mnist1d-wide-nadam",
       _plain(_mnist1d_data, _WideCNN1d, lambda p: torch.optim.NAdam(p, lr=2e-3), nn.CrossEntropyLoss(), 64, accuracy),
       800, "val_acc", "NAdam", 2e-3, family="fresh8"),
    # the ninth batch: training setups the others lacked (full batch, fine-tuning, parameter groups,
    # a batch of 1,024, multi-step forecasting, AMSGrad over a long budget)
    _t("fresh9-gcn-sbm-adam-fullbatch", _b_gcn, 300, "val_acc", "Adam(weight_decay=5e-4)", 1e-2, family="fresh9"),
    _t("fresh9-finetune-digits-adam", _b_finetune, 300, "val_acc", "Adam", 1e-3, family="fresh9"),
    _t("fresh9-cnn-digits-adamw-groups", _b_cnn_groups, 600, "val_acc", "AdamW(two groups: wd 0.05 / 0)", 1e-3,
       family="fresh9"),
    _t("fresh9-mlp-mnist1d-sgdm-bs1024",
       _plain(_mnist1d_data, lambda: _mlp([40, 256, 256, 10]), lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9),
              nn.CrossEntropyLoss(), 1024, accuracy), 400, "val_acc", "SGD(momentum=0.9)", 1e-2, family="fresh9"),
    _t("fresh9-cnn1d-forecast-radam",
       _plain(_forecast, _forecaster, lambda p: torch.optim.RAdam(p, lr=1e-3), nn.MSELoss(), 32, _r2),
       1000, "val_r2", "RAdam", 1e-3, family="fresh9"),
    _t("fresh9-mlp-classif7-amsgrad",
       _plain(_covtype_like, lambda: _mlp([54, 256, 256, 7]), lambda p: torch.optim.Adam(p, lr=1e-3, amsgrad=True),
              nn.CrossEntropyLoss(), 128, accuracy), 3000, "val_acc", "Adam(amsgrad=True)", 1e-3, family="fresh9"),
    # the tenth batch: likelihoods below zero, a quantile loss, a seq2seq GRU, separable convolutions,
    # a rare positive class, a 16-block residual MLP
    _t("fresh10-gaussnll-mlp-adam",
       _plain(_hetero, lambda: _mlp([10, 64, 64, 2]), lambda p: torch.optim.Adam(p, lr=1e-3), _gauss_nll, 64, _mean_r2),
       800, "val_r2", "Adam", 1e-3, family="fresh10"),
    _t("fresh10-quantile-mlp-sgdm",
       _plain(_quantile_data, lambda: _mlp([8, 64, 64, 1]), lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9), _pinball,
              32, _pinball_skill), 600, "val_r2", "SGD(momentum=0.9)", 1e-2, family="fresh10"),
    _t("fresh10-seq2seq-sort-adam",
       _plain(_sorting, _Seq2Seq, lambda p: torch.optim.Adam(p, lr=1e-3), _token_ce, 64, _token_accuracy),
       1500, "val_acc", "Adam", 1e-3, family="fresh10"),
    _t("fresh10-dwsep-digits-nesterov",
       _plain(_digits, _DWSep, lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9, nesterov=True, weight_decay=5e-4),
              nn.CrossEntropyLoss(), 32, accuracy), 600, "val_acc", "SGD(momentum=0.9, nesterov, wd=5e-4)", 1e-2,
       family="fresh10"),
    _t("fresh10-imbalanced-bce-adam",
       _plain(_imbalanced, lambda: nn.Sequential(_mlp([20, 64, 64, 1]), nn.Flatten(0)), lambda p: torch.optim.Adam(p, lr=1e-3),
              nn.BCEWithLogitsLoss(pos_weight=torch.tensor(19.0)), 128, _balanced_accuracy),
       500, "val_acc", "Adam", 1e-3, family="fresh10"),
    _t("fresh10-deep-resmlp-adamw",
       _plain(_mnist1d_data, _DeepResMLP, lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.05),
              nn.CrossEntropyLoss(), 64, accuracy), 1000, "val_acc", "AdamW(weight_decay=0.05)", 1e-3, family="fresh10"),
    # the eleventh batch: transformer-style Adam settings, two losses at once, momentum 0.99, heavy
    # weight decay at batch 16, a wide-and-deep recommender, Adam with a large epsilon
    _t("fresh11-tfm-cls-adamw-b98",
       _plain(_mnist1d_data, _ClsEncoder, lambda p: torch.optim.AdamW(p, lr=1e-3, betas=(0.9, 0.98), eps=1e-9,
                                                                      weight_decay=0.01),
              nn.CrossEntropyLoss(), 64, accuracy), 600, "val_acc", "AdamW(betas=(0.9, 0.98), eps=1e-9)", 1e-3,
       family="fresh11"),
    _t("fresh11-multitask-digits-adam", _b_multitask, 600, "val_acc", "Adam", 1e-3, family="fresh11"),
    _t("fresh11-mlp-blobs-sgdm099",
       _plain(_blobs, lambda: _mlp([20, 128, 128, 5]), lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.99),
              nn.CrossEntropyLoss(), 32, accuracy), 800, "val_acc", "SGD(momentum=0.99)", 1e-2, family="fresh11"),
    _t("fresh11-cnn-digits-sgd-wd5e3-bs16",
       _plain(_digits, _cnn_pool, lambda p: torch.optim.SGD(p, lr=1e-2, weight_decay=5e-3), nn.CrossEntropyLoss(), 16,
              accuracy), 1500, "val_acc", "SGD(wd=5e-3)", 1e-2, family="fresh11"),
    _t("fresh11-widedeep-ratings-adam",
       _plain(_ratings, _WideDeep, lambda p: torch.optim.Adam(p, lr=1e-3), nn.MSELoss(), 256, _r2),
       1500, "val_r2", "Adam", 1e-3, family="fresh11"),
    _t("fresh11-mlp-mnist1d-adam-eps1e-3-bs16",
       _plain(_mnist1d_data, lambda: _mlp([40, 256, 10]), lambda p: torch.optim.Adam(p, lr=1e-3, eps=1e-3),
              nn.CrossEntropyLoss(), 16, accuracy), 1500, "val_acc", "Adam(eps=1e-3)", 1e-3, family="fresh11"),
    # the twelfth batch: common modern shapes (ConvNeXt blocks with layer scale, a contrastive
    # embedding, a U-Net, an LSTM over tokens, BatchNorm with dropout on tabular data, a long budget)
    _t("fresh12-convnext-digits-adamw",
       _plain(_digits, _convnext, lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.05), nn.CrossEntropyLoss(),
              64, accuracy), 800, "val_acc", "AdamW(weight_decay=0.05)", 1e-3, family="fresh12"),
    _t("fresh12-supcon-mnist1d-adam",
       _plain(_mnist1d_data, _Embedder, lambda p: torch.optim.Adam(p, lr=1e-3), _supcon, 128, _nn_accuracy),
       600, "val_acc", "Adam", 1e-3, family="fresh12"),
    _t("fresh12-unet-denoise-adam",
       _plain(_denoise_digits, _TinyUNet, lambda p: torch.optim.Adam(p, lr=1e-3), nn.MSELoss(), 32, recon_r2),
       600, "val_r2", "Adam", 1e-3, family="fresh12"),
    _t("fresh12-lstm-count-adam",
       _plain(_counts, _TokenLSTM, lambda p: torch.optim.Adam(p, lr=1e-3), nn.CrossEntropyLoss(), 64, accuracy),
       1200, "val_acc", "Adam", 1e-3, family="fresh12"),
    _t("fresh12-tabular-bn-dropout-adamw",
       _plain(_tabular8, _mlp_bn_dropout, lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.01),
              nn.CrossEntropyLoss(), 256, accuracy), 600, "val_acc", "AdamW(weight_decay=0.01)", 1e-3, family="fresh12"),
    _t("fresh12-cnn1d-mnist1d-adamw-b3000",
       _plain(_mnist1d_data, _cnn1d_pool, lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.01),
              nn.CrossEntropyLoss(), 32, accuracy), 3000, "val_acc", "AdamW(weight_decay=0.01)", 1e-3, family="fresh12"),
    # the thirteenth batch: losses that cannot diverge (bounded, on normalised outputs)
    _t("fresh13-simclr-digits-adam",
       _plain(_two_views, _TwoViewEncoder, lambda p: torch.optim.Adam(p, lr=1e-3), _nt_xent, 128,
              _first_view_nn_accuracy), 600, "val_acc", "Adam", 1e-3, family="fresh13"),
    _t("fresh13-cosine-directions-sgdm",
       _plain(_directions, _UnitOut, lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9), _cosine_loss, 64,
              _mean_cosine), 800, "val_r2", "SGD(momentum=0.9)", 1e-2, family="fresh13"),
    _t("fresh13-cosface-mnist1d-adamw",
       _plain(_mnist1d_data, _CosFace, lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.01), _cosface_loss, 64,
              accuracy), 800, "val_acc", "AdamW(weight_decay=0.01)", 1e-3, family="fresh13"),
    _t("fresh13-triplet-mnist1d-sgdm",
       _plain(_mnist1d_data, _Embed40, lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9), _triplet, 128, _nn_accuracy),
       600, "val_acc", "SGD(momentum=0.9)", 1e-2, family="fresh13"),
    _t("fresh13-sigmoid-ae-digits-sgd",
       _plain(_digits_images, _sigmoid_ae, lambda p: torch.optim.SGD(p, lr=1e-2), nn.MSELoss(), 32, recon_r2),
       1000, "val_r2", "SGD", 1e-2, family="fresh13"),
    # the fourteenth batch: raw regression targets, a tanh RNN, bag-of-embeddings text, a ResNet under
    # Adam at batch 16, plain SGD at batch 512, an over-confident initialisation
    _t("fresh14-reg-rawtarget-adam",
       _plain(_raw_targets, lambda: _mlp([10, 64, 64, 1]), lambda p: torch.optim.Adam(p, lr=1e-3), nn.MSELoss(), 32,
              _r2), 800, "val_r2", "Adam", 1e-3, family="fresh14"),
    _t("fresh14-rnn-sines-adam-bs16",
       _plain(_sines, lambda: _LastStep(nn.RNN(1, 64, batch_first=True), 64, 1), lambda p: torch.optim.Adam(p, lr=1e-3),
              nn.MSELoss(), 16, _r2), 1000, "val_r2", "Adam", 1e-3, family="fresh14"),
    _t("fresh14-embbag-topics-adagrad",
       _plain(_topic_docs, _BagOfEmbeddings, lambda p: torch.optim.Adagrad(p, lr=1e-2), nn.CrossEntropyLoss(), 64,
              accuracy), 600, "val_acc", "Adagrad", 1e-2, family="fresh14"),
    _t("fresh14-resnet-digits-adam-bs16",
       _plain(_digits, _resnet_deeper, lambda p: torch.optim.Adam(p, lr=1e-3), nn.CrossEntropyLoss(), 16, accuracy),
       600, "val_acc", "Adam", 1e-3, family="fresh14"),
    _t("fresh14-mlp-mnist1d-sgd-bs512",
       _plain(_mnist1d_data, lambda: _mlp([40, 256, 256, 10]), lambda p: torch.optim.SGD(p, lr=1e-2),
              nn.CrossEntropyLoss(), 512, accuracy), 500, "val_acc", "SGD", 1e-2, family="fresh14"),
    _t("fresh14-mlp-digits-hotinit-sgdm",
       _plain(_digits, _hot_init_mlp, lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9), nn.CrossEntropyLoss(), 64,
              accuracy), 800, "val_acc", "SGD(momentum=0.9)", 1e-2, family="fresh14"),
    # the fifteenth batch: large batches on budgets short for them
    _t("fresh15-cnn1d-mnist1d-sgd-bs256",
       _plain(_mnist1d_data, _cnn1d_pool, lambda p: torch.optim.SGD(p, lr=1e-2), nn.CrossEntropyLoss(), 256, accuracy),
       300, "val_acc", "SGD", 1e-2, family="fresh15"),
    _t("fresh15-mlp-mnist1d-adam-bs1024",
       _plain(_mnist1d_data, lambda: _mlp([40, 256, 256, 10]), lambda p: torch.optim.Adam(p, lr=1e-3),
              nn.CrossEntropyLoss(), 1024, accuracy), 300, "val_acc", "Adam", 1e-3, family="fresh15"),
    _t("fresh15-lstm-sines-sgdm-bs256",
       _plain(_sines, lambda: _LastStep(nn.LSTM(1, 32, batch_first=True), 32, 1),
              lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9), nn.MSELoss(), 256, _r2),
       400, "val_r2", "SGD(momentum=0.9)", 1e-2, family="fresh15"),
    _t("fresh15-linear-classif-sgd-bs2048",
       _plain(_classes50, lambda: nn.Linear(50, 10), lambda p: torch.optim.SGD(p, lr=1e-2), nn.CrossEntropyLoss(), 2048,
              accuracy), 200, "val_acc", "SGD", 1e-2, family="fresh15"),
    _t("fresh15-tfm-cls-adamw-bs256",
       _plain(_mnist1d_data, _ClsEncoder, lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.01),
              nn.CrossEntropyLoss(), 256, accuracy), 300, "val_acc", "AdamW(weight_decay=0.01)", 1e-3, family="fresh15"),
    _t("fresh15-mlp-blobs-nesterov-bs512",
       _plain(_blobs, lambda: _mlp([20, 128, 128, 5]), lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9, nesterov=True),
              nn.CrossEntropyLoss(), 512, accuracy), 250, "val_acc", "SGD(momentum=0.9, nesterov)", 1e-2,
       family="fresh15"),
    # the sixteenth batch: ordinary networks, pairings not seen before
    _t("fresh16-cnn-digits-nadam-bs32",
       _plain(_digits, lambda: _cnn_bn(nn.ReLU), lambda p: torch.optim.NAdam(p, lr=2e-3), nn.CrossEntropyLoss(), 32,
              accuracy), 700, "val_acc", "NAdam", 2e-3, family="fresh16"),
    _t("fresh16-lstm-mnist1d-rmsprop-bs64",
       _plain(_mnist1d_seq, lambda: _LastStep(nn.LSTM(1, 48, batch_first=True), 48, 10),
              lambda p: torch.optim.RMSprop(p, lr=1e-2), nn.CrossEntropyLoss(), 64, accuracy),
       1200, "val_acc", "RMSprop", 1e-2, family="fresh16"),
    _t("fresh16-ae-digits-nesterov-bs64",
       _plain(_digits_flat, lambda: _mlp([64, 128, 32, 128, 64]),
              lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9, nesterov=True), nn.MSELoss(), 64, recon_r2),
       1000, "val_r2", "SGD(momentum=0.9, nesterov)", 1e-2, family="fresh16"),
    _t("fresh16-mlp-classif-adamw-bs512",
       _plain(_classes50, lambda: _mlp([50, 256, 256, 10]), lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.01),
              nn.CrossEntropyLoss(), 512, accuracy), 1500, "val_acc", "AdamW(weight_decay=0.01)", 1e-3, family="fresh16"),
    _t("fresh16-mf-ratings-sgdm-bs128",
       _plain(_ratings, lambda: _MF(400, 300), lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9), nn.MSELoss(), 128, _r2),
       2000, "val_r2", "SGD(momentum=0.9)", 1e-2, family="fresh16"),
    _t("fresh16-seq2seq-sorting-radam-bs32",
       _plain(_sorting, _Seq2Seq, lambda p: torch.optim.RAdam(p, lr=1e-3), _token_ce, 32, _token_accuracy),
       1500, "val_acc", "RAdam", 1e-3, family="fresh16"),
    # the seventeenth batch: the shapes of the issue's failure list, redrawn
    _t("fresh17-convae1d-mnist1d-nesterov",
       _plain(_mnist1d_recon, _convae1d, lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9, nesterov=True), nn.MSELoss(),
              32, recon_r2), 1000, "val_r2", "SGD(momentum=0.9, nesterov)", 1e-2, family="fresh17"),
    _t("fresh17-gru-digitrows-rmsprop",
       _plain(_digits, _RowGRU, lambda p: torch.optim.RMSprop(p, lr=1e-2), nn.CrossEntropyLoss(), 32, accuracy),
       1000, "val_acc", "RMSprop", 1e-2, family="fresh17"),
    _t("fresh17-mf-ratings-adagrad",
       _plain(_ratings, lambda: _MF(400, 300), lambda p: torch.optim.Adagrad(p, lr=1e-2), nn.MSELoss(), 64, _r2),
       2000, "val_r2", "Adagrad", 1e-2, family="fresh17"),
    _t("fresh17-tfm-reverse-adamw",
       _plain(_reverse, _reverser, lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.1), _token_ce, 32,
              _token_accuracy), 1500, "val_acc", "AdamW(weight_decay=0.1)", 1e-3, family="fresh17"),
    _t("fresh17-mlp-outliers-sgdm",
       _plain(_huber_data, lambda: _mlp([15, 128, 128, 1]), lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9),
              nn.MSELoss(), 32, _r2), 1500, "val_r2", "SGD(momentum=0.9)", 1e-2, family="fresh17"),
    _t("fresh17-widemlp-classif-sgd-bs8",
       _plain(_classes50, lambda: _mlp([50, 512, 10]), lambda p: torch.optim.SGD(p, lr=1e-2), nn.CrossEntropyLoss(), 8,
              accuracy), 3000, "val_acc", "SGD", 1e-2, family="fresh17"),
    # the eighteenth batch: the networks a practitioner writes first
    _t("fresh18-cnn-digits-adam-bs64",
       _plain(_digits, _cnn_pool2, lambda p: torch.optim.Adam(p, lr=1e-3), nn.CrossEntropyLoss(), 64, accuracy),
       800, "val_acc", "Adam", 1e-3, family="fresh18"),
    _t("fresh18-vit-digits-adamw-bs64",
       _plain(_digits, _ViT, lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.05), nn.CrossEntropyLoss(), 64,
              accuracy), 1500, "val_acc", "AdamW(weight_decay=0.05)", 1e-3, family="fresh18"),
    _t("fresh18-textcnn-topics-adam-bs32",
       _plain(_topic_docs, _TextCNN, lambda p: torch.optim.Adam(p, lr=1e-3), nn.CrossEntropyLoss(), 32, accuracy),
       800, "val_acc", "Adam", 1e-3, family="fresh18"),
    _t("fresh18-gru-topics-adam-bs64",
       _plain(_topic_docs, lambda: _text_rnn(nn.GRU), lambda p: torch.optim.Adam(p, lr=1e-3), nn.CrossEntropyLoss(), 64, accuracy),
       1200, "val_acc", "Adam", 1e-3, family="fresh18"),
    _t("fresh18-mlp-cancer-bn-sgdm-bs16",
       _plain(_cancer, _mlp_bn_cancer, lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9), nn.CrossEntropyLoss(), 16,
              accuracy), 300, "val_acc", "SGD(momentum=0.9)", 1e-2, family="fresh18"),
    _t("fresh18-resmlp-reg-adamw-bs64",
       _plain(_regression100, lambda: _ResMLP(100, 128, 3, 1), lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.01),
              nn.MSELoss(), 64, _r2), 1000, "val_r2", "AdamW(weight_decay=0.01)", 1e-3, family="fresh18"),
    _t("fresh18-mlp-mnist1d-nesterov-wd-bs128",
       _plain(_mnist1d_data, _mlp_dropout_mnist1d,
              lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9, nesterov=True, weight_decay=5e-4),
              nn.CrossEntropyLoss(), 128, accuracy), 2500, "val_acc", "SGD(momentum=0.9, nesterov, wd=5e-4)", 1e-2,
       family="fresh18"),
    # the nineteenth batch: more first networks; the eighteenth's miss asked again
    _t("fresh19-lstm-topics-adamw-bs32",
       _plain(_topic_docs, lambda: _text_rnn(nn.LSTM), lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.01), nn.CrossEntropyLoss(),
              32, accuracy), 1000, "val_acc", "AdamW(weight_decay=0.01)", 1e-3, family="fresh19"),
    _t("fresh19-tfm-topics-adam-bs64",
       _plain(_topic_docs, _TextEncoder, lambda p: torch.optim.Adam(p, lr=1e-3), nn.CrossEntropyLoss(), 64, accuracy),
       800, "val_acc", "Adam", 1e-3, family="fresh19"),
    _t("fresh19-cnn-digits-rmsprop-bs32",
       _plain(_digits, _cnn_pool2, lambda p: torch.optim.RMSprop(p, lr=1e-2), nn.CrossEntropyLoss(), 32, accuracy),
       600, "val_acc", "RMSprop", 1e-2, family="fresh19"),
    _t("fresh19-reg-diabetes-adam-bs32",
       _plain(_diabetes, lambda: _mlp([10, 64, 64, 1]), lambda p: torch.optim.Adam(p, lr=1e-3), nn.MSELoss(), 32, _r2),
       600, "val_r2", "Adam", 1e-3, family="fresh19"),
    _t("fresh19-mlp-wine-sgd-bs8",
       _plain(_wine, lambda: _mlp([13, 32, 3]), lambda p: torch.optim.SGD(p, lr=1e-2), nn.CrossEntropyLoss(), 8,
              accuracy), 500, "val_acc", "SGD", 1e-2, family="fresh19"),
    _t("fresh19-resconv1d-mnist1d-sgdm-bn",
       _plain(_mnist1d_data, _ResConv1dBN, lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9, weight_decay=5e-4),
              nn.CrossEntropyLoss(), 64, accuracy), 1500, "val_acc", "SGD(momentum=0.9, wd=5e-4)", 1e-2, family="fresh19"),
    # the twentieth batch: first networks with optimizers in new pairings
    _t("fresh20-mlp-digits-adagrad-bs64",
       _plain(_digits, lambda: nn.Sequential(nn.Flatten(), _mlp([64, 128, 10])), lambda p: torch.optim.Adagrad(p, lr=1e-2),
              nn.CrossEntropyLoss(), 64, accuracy), 800, "val_acc", "Adagrad", 1e-2, family="fresh20"),
    _t("fresh20-cnn-digits-bn-sgdm-bs128",
       _plain(_digits, _cnn_bn, lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9, weight_decay=5e-4),
              nn.CrossEntropyLoss(), 128, accuracy), 1000, "val_acc", "SGD(momentum=0.9, wd=5e-4)", 1e-2, family="fresh20"),
    _t("fresh20-gru-mnist1d-adamw-bs128",
       _plain(_mnist1d_seq, lambda: _LastStep(nn.GRU(1, 64, batch_first=True), 64, 10),
              lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.01), nn.CrossEntropyLoss(), 128, accuracy),
       1500, "val_acc", "AdamW(weight_decay=0.01)", 1e-3, family="fresh20"),
    _t("fresh20-reg-nadam-bs32",
       _plain(_regression, lambda: _mlp([20, 256, 256, 1]), lambda p: torch.optim.NAdam(p, lr=2e-3), nn.MSELoss(), 32,
              _r2), 1200, "val_r2", "NAdam", 2e-3, family="fresh20"),
    _t("fresh20-mlp-cancer-adam-bs32",
       _plain(_cancer, lambda: _mlp([30, 128, 128, 2]), lambda p: torch.optim.Adam(p, lr=1e-3), nn.CrossEntropyLoss(), 32,
              accuracy), 400, "val_acc", "Adam", 1e-3, family="fresh20"),
    _t("fresh20-ae-mnist1d-adamw-bs64",
       _plain(_mnist1d_recon, lambda: _mlp([40, 64, 8, 64, 40]), lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=1e-4),
              nn.MSELoss(), 64, recon_r2), 1500, "val_r2", "AdamW(weight_decay=1e-4)", 1e-3, family="fresh20"),
    _t("fresh20-mlp-moons-radam-bs16",
       _plain(_moons, lambda: _mlp([2, 64, 64, 2]), lambda p: torch.optim.RAdam(p, lr=1e-3), nn.CrossEntropyLoss(), 16,
              accuracy), 600, "val_acc", "RAdam", 1e-3, family="fresh20"),
    # the twenty-first batch: modern and plain building blocks; the small-data regression asked again
    _t("fresh21-mlp-ln-gelu-adamw-bs256",
       _plain(_classes50, _mlp_ln_gelu, lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.05), nn.CrossEntropyLoss(),
              256, accuracy), 2000, "val_acc", "AdamW(weight_decay=0.05)", 1e-3, family="fresh21"),
    _t("fresh21-linear-digits-sgdm-bs32",
       _plain(_digits, lambda: nn.Sequential(nn.Flatten(), nn.Linear(64, 10)),
              lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9), nn.CrossEntropyLoss(), 32, accuracy),
       500, "val_acc", "SGD(momentum=0.9)", 1e-2, family="fresh21"),
    _t("fresh21-cnn1d-mnist1d-adagrad-bs64",
       _plain(_mnist1d_data, _cnn1d_pool, lambda p: torch.optim.Adagrad(p, lr=1e-2), nn.CrossEntropyLoss(), 64, accuracy),
       1000, "val_acc", "Adagrad", 1e-2, family="fresh21"),
    _t("fresh21-bag-topics-sgdm-bs128",
       _plain(_topic_docs, _BagOfEmbeddings, lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9), nn.CrossEntropyLoss(),
              128, accuracy), 600, "val_acc", "SGD(momentum=0.9)", 1e-2, family="fresh21"),
    _t("fresh21-ae-digits-rmsprop-bs64",
       _plain(_digits_flat, lambda: _mlp([64, 32, 64]), lambda p: torch.optim.RMSprop(p, lr=1e-2), nn.MSELoss(), 64,
              recon_r2), 800, "val_r2", "RMSprop", 1e-2, family="fresh21"),
    _t("fresh21-tfm4-topics-adamw-bs32",
       _plain(_topic_docs, lambda: _TextEncoder(layers=4), lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.1),
              nn.CrossEntropyLoss(), 32, accuracy), 1000, "val_acc", "AdamW(weight_decay=0.1)", 1e-3, family="fresh21"),
    _t("fresh21-reg-diabetes-rmsprop-bs16",
       _plain(_diabetes, lambda: _mlp([10, 128, 1]), lambda p: torch.optim.RMSprop(p, lr=1e-2), nn.MSELoss(), 16, _r2),
       800, "val_r2", "RMSprop", 1e-2, family="fresh21"),
    # the twenty-second batch: common networks, optimizers in new pairings, budgets of other lengths
    _t("fresh22-convae-digits-rmsprop-bs32",
       _plain(_digits_images, _conv_ae, lambda p: torch.optim.RMSprop(p, lr=1e-2), nn.MSELoss(), 32, recon_r2),
       700, "val_r2", "RMSprop", 1e-2, family="fresh22"),
    _t("fresh22-cnn-digits-adamw-bs256",
       _plain(_digits, _cnn_pool2, lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.05), nn.CrossEntropyLoss(),
              256, accuracy), 350, "val_acc", "AdamW(weight_decay=0.05)", 1e-3, family="fresh22"),
    _t("fresh22-gru-sines-adagrad-bs32",
       _plain(_sines, lambda: _LastStep(nn.GRU(1, 32, batch_first=True), 32, 1), lambda p: torch.optim.Adagrad(p, lr=1e-2),
              nn.MSELoss(), 32, _r2), 1000, "val_r2", "Adagrad", 1e-2, family="fresh22"),
    _t("fresh22-mlp-wine-nesterov-bs8",
       _plain(_wine, lambda: _mlp([13, 64, 3]), lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9, nesterov=True),
              nn.CrossEntropyLoss(), 8, accuracy), 700, "val_acc", "SGD(momentum=0.9, nesterov)", 1e-2, family="fresh22"),
    _t("fresh22-tfm-mnist1d-sgdm-bs64",
       _plain(_mnist1d_data, _ClsEncoder, lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9), nn.CrossEntropyLoss(), 64,
              accuracy), 1200, "val_acc", "SGD(momentum=0.9)", 1e-2, family="fresh22"),
    _t("fresh22-mf-ratings-adamw-bs256",
       _plain(_ratings, lambda: _MF(400, 300), lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.01), nn.MSELoss(),
              256, _r2), 1500, "val_r2", "AdamW(weight_decay=0.01)", 1e-3, family="fresh22"),
    _t("fresh22-mlp-friedman-silu-adam-bs128",
       _plain(_friedman, lambda: _mlp([10, 128, 128, 1], act=nn.SiLU), lambda p: torch.optim.Adam(p, lr=1e-3), nn.MSELoss(),
              128, _r2), 2500, "val_r2", "Adam", 1e-3, family="fresh22"),
    # the twenty-third batch: one logit, BatchNorm at batch 8, a deep LayerNorm MLP, a tanh RNN, a Huber loss
    _t("fresh23-logreg-cancer-sgd-bs32",
       _plain(_cancer_bce, lambda: nn.Linear(30, 1), lambda p: torch.optim.SGD(p, lr=1e-2), nn.BCEWithLogitsLoss(), 32,
              bce_accuracy), 400, "val_acc", "SGD", 1e-2, family="fresh23"),
    _t("fresh23-resconv1d-bn-adam-bs8",
       _plain(_mnist1d_data, _ResConv1dBN, lambda p: torch.optim.Adam(p, lr=1e-3), nn.CrossEntropyLoss(), 8, accuracy),
       1500, "val_acc", "Adam", 1e-3, family="fresh23"),
    _t("fresh23-deepln-mlp-digits-adam",
       _plain(_digits, _deep_ln_mlp, lambda p: torch.optim.Adam(p, lr=1e-3), nn.CrossEntropyLoss(), 64, accuracy),
       600, "val_acc", "Adam", 1e-3, family="fresh23"),
    _t("fresh23-mlp-classif-adagrad-bs512",
       _plain(_classes50, lambda: _mlp([50, 256, 10]), lambda p: torch.optim.Adagrad(p, lr=1e-2), nn.CrossEntropyLoss(),
              512, accuracy), 300, "val_acc", "Adagrad", 1e-2, family="fresh23"),
    _t("fresh23-rnn-sines-rmsprop-bs64",
       _plain(_sines, lambda: _LastStep(nn.RNN(1, 32, batch_first=True), 32, 1), lambda p: torch.optim.RMSprop(p, lr=1e-2),
              nn.MSELoss(), 64, _r2), 800, "val_r2", "RMSprop", 1e-2, family="fresh23"),
    _t("fresh23-huber-friedman-adamw-bs32",
       _plain(_friedman, lambda: _mlp([10, 64, 64, 1]), lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.01),
              nn.HuberLoss(), 32, _r2), 1000, "val_r2", "AdamW(weight_decay=0.01)", 1e-3, family="fresh23"),
    _t("fresh23-vit-digits-sgdm-bs128",
       _plain(_digits, _ViT, lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9), nn.CrossEntropyLoss(), 128, accuracy),
       1000, "val_acc", "SGD(momentum=0.9)", 1e-2, family="fresh23"),
)}


if __name__ == "__main__":
    from tasks import print_sizes

    print_sizes(FRESH.values(), max_steps=200)
