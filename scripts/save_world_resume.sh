#!/bin/bash
# Restore in a fresh checkout of world-v3: git archive world-v3-resume | tar -x (then rerun
# python -m world build --out build/world-v3: it resumes from the latest checkpoints).
# Commit the world-v3 build's minimal resume state to the orphan branch world-v3-resume.
set -e
cd "$(git rev-parse --show-toplevel)"
S=/tmp/resume_stage; rm -rf $S; mkdir -p $S/build/world-ckpt/world-v3
cp -r build/world-v3 $S/build/
cp build/world-ckpt/world-v3/stages.json $S/build/world-ckpt/world-v3/
for d in build/world-ckpt/world-v3/*/; do
  n=$(basename $d); mkdir -p $S/build/world-ckpt/world-v3/$n
  for f in latest.json trained.json misses.json; do [ -f $d/$f ] && cp $d/$f $S/build/world-ckpt/world-v3/$n/; done
  # a finished stage needs no weights (the staged model holds them)
  if [ -f $d/latest.json ] && [ ! -f $d/trained.json ]; then st=$(python3 -c "import json;print('%06d'%json.load(open('$d/latest.json'))['step'])"); cp $d/step_$st.* $S/build/world-ckpt/world-v3/$n/; fi
done
export GIT_INDEX_FILE=/tmp/resume_index; rm -f $GIT_INDEX_FILE
git --work-tree=$S add -f -A .
tree=$(git write-tree)

c=$(echo "world v3 build: resume state at $(date -u +%FT%TZ) (stages: $(tr -d '\n ' < $S/build/world-ckpt/world-v3/stages.json))" | git commit-tree $tree)
git update-ref refs/heads/world-v3-resume $c
du -sh $S; git log --oneline -1 world-v3-resume
